"""Ed25519 statements, verification codes and report commitments
(tipline.crypto.signing, issue 14 points 7 and 8)."""

import math

import pytest

from tipline.crypto import signing

PEPPER = b"p" * 48
RECEIPT = "1234567812345678123456781234"


def test_a_signature_verifies_only_with_its_key_and_statement():
    seed = signing.new_signing_seed()
    public = signing.verify_key_of(seed)
    statement = '{"name":"张三"}'.encode()
    signature = signing.sign_statement(seed, statement)

    assert signing.statement_is_signed(public, statement, signature) is True
    altered = statement.replace("三".encode(), "四".encode())
    assert signing.statement_is_signed(public, altered, signature) is False
    other = signing.verify_key_of(signing.new_signing_seed())
    assert signing.statement_is_signed(other, statement, signature) is False
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert signing.statement_is_signed(public, statement, flipped) is False
    assert signing.statement_is_signed(public, statement, b"short") is False


def test_a_plain_ed25519_signature_of_the_statement_is_not_accepted():
    # Domain separation: a signature the same key made over the bare statement
    # (for some other purpose) is not a certificate signature.
    from nacl.signing import SigningKey

    seed = signing.new_signing_seed()
    statement = b'{"kind":"commendation"}'
    bare = SigningKey(seed).sign(statement).signature
    public = signing.verify_key_of(seed)
    assert signing.statement_is_signed(public, statement, bare) is False


def test_codes_carry_at_least_80_bits_and_read_in_groups():
    code = signing.new_code()
    assert len(code) * math.log2(len(signing.CODE_ALPHABET)) >= 80
    formatted = signing.format_code(code)
    assert [len(group) for group in formatted.split("-")] == [4] * 5
    assert not set("ILOU") & set(code)
    assert len({signing.new_code() for _ in range(200)}) == 200


@pytest.mark.parametrize(
    "typed",
    [
        "7K3Q-M9XD-2HPA-V6RT-8WNC",
        "7k3q m9xd 2hpa v6rt 8wnc",
        "7K3QM9XD2HPAV6RT8WNC",
        " 7K3Q\u3000M9XD\u00a02HPA\u2013V6RT-8WNC ",
        "７Ｋ３Ｑ－Ｍ９ＸＤ－２ＨＰＡ－Ｖ６ＲＴ－８ＷＮＣ",  # full-width
    ],
)
def test_typed_codes_are_normalised(typed):
    assert signing.normalise_code(typed) == "7K3QM9XD2HPAV6RT8WNC"


def test_letters_that_look_like_digits_read_as_those_digits():
    typed = "OOOO-IIII-LLLL-oooo-iiii"
    assert signing.normalise_code(typed) == "0000" + "1111" + "1111" + "0000" + "1111"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "7K3Q-M9XD-2HPA-V6RT",  # too short
        "7K3Q-M9XD-2HPA-V6RT-8WNC-A",  # too long
        "7K3Q-M9XD-2HPA-V6RT-8WNU",  # U is not a symbol
        "7K3Q-M9XD-2HPA-V6RT-8WN!",
        "1234 5678 1234 5678 1234 5678 1234",  # a receipt code, not a code
        "7K3Q-M9XD-2HPA-V6RT-8WN\u0663",  # Arabic-Indic digit
        "../../etc/passwd",
        "A" * 10_000,
    ],
)
def test_text_of_the_wrong_shape_is_refused(typed):
    with pytest.raises(signing.MalformedCode):
        signing.normalise_code(typed)


def test_code_keys_depend_on_the_code_and_the_pepper():
    code = signing.new_code()
    keys = signing.derive_code_keys(code, PEPPER)
    assert keys.lookup != keys.seal_key
    assert keys == signing.derive_code_keys(code, PEPPER)
    assert signing.derive_code_keys(code, b"q" * 48).lookup != keys.lookup
    assert signing.derive_code_keys(signing.new_code(), PEPPER).lookup != keys.lookup
    assert code.encode() not in keys.lookup + keys.seal_key


def test_a_commitment_opens_only_with_its_receipt_nonce_and_content():
    key = signing.opening_key_from_receipt(RECEIPT)
    nonce = b"n" * 16
    content = "有人拍了大门的照片".encode()
    commitment = signing.commit_to_content(key, nonce, content)

    assert commitment == signing.commit_to_content(key, nonce, content)
    other_key = signing.opening_key_from_receipt("9" * 28)
    assert signing.commit_to_content(other_key, nonce, content) != commitment
    assert signing.commit_to_content(key, b"m" * 16, content) != commitment
    assert signing.commit_to_content(key, nonce, content + b" ") != commitment
    # Without the key, the content's plain hash says nothing about the commitment.
    import hashlib

    assert hashlib.blake2b(nonce + content, digest_size=32).digest() != commitment
