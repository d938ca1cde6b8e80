import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tipline import crypto

FAST = crypto.PasswordCost(opslimit=1, memlimit=8192)
keys = st.binary(min_size=32, max_size=32)


@given(key=keys, plaintext=st.binary(max_size=4096), context=st.binary(max_size=64))
def test_encrypt_round_trips_and_hides_plaintext(key, plaintext, context):
    blob = crypto.encrypt(key, plaintext, context=context)
    assert crypto.decrypt(key, blob, context=context) == plaintext
    if len(plaintext) >= 8:
        assert plaintext not in blob


@given(plaintext=st.binary(min_size=1, max_size=512), position=st.integers(0, 10_000))
def test_encrypt_detects_any_flipped_bit(plaintext, position):
    key = crypto.new_data_key()
    blob = bytearray(crypto.encrypt(key, plaintext, context=b"ctx"))
    blob[position % len(blob)] ^= 0x01
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(key, bytes(blob), context=b"ctx")


@given(plaintext=st.binary(max_size=256))
def test_decrypt_refuses_wrong_key_and_wrong_context(plaintext):
    key = crypto.new_data_key()
    blob = crypto.encrypt(key, plaintext, context=b"report:1:answers")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(crypto.new_data_key(), blob, context=b"report:1:answers")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(key, blob, context=b"report:2:answers")


@given(garbage=st.binary(max_size=200))
def test_decrypt_refuses_garbage(garbage):
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(crypto.new_data_key(), garbage, context=b"")


@given(data=st.binary(min_size=1, max_size=256))
def test_sealed_data_opens_only_with_the_matching_private_key(data):
    alice, mallory = crypto.generate_keypair(), crypto.generate_keypair()
    blob = crypto.seal_for_staff(data, alice.public)
    assert crypto.open_as_staff(blob, alice.private) == data
    with pytest.raises(crypto.DecryptionFailed):
        crypto.open_as_staff(blob, mallory.private)


def test_sealing_twice_gives_different_blobs():
    pair = crypto.generate_keypair()
    key = crypto.new_data_key()
    assert crypto.seal_for_staff(key, pair.public) != crypto.seal_for_staff(
        key, pair.public
    )


@settings(max_examples=20, deadline=None)
@given(secret=st.binary(min_size=32, max_size=32), password=st.text(min_size=1))
def test_password_lock_round_trips(secret, password):
    blob = crypto.lock_with_password(secret, password, FAST)
    assert secret not in blob
    assert crypto.unlock_with_password(blob, password) == secret


@settings(max_examples=10, deadline=None)
@given(password=st.text(min_size=1, max_size=30), other=st.text(min_size=1))
def test_password_lock_refuses_wrong_password(password, other):
    if password == other:
        other += "x"
    blob = crypto.lock_with_password(b"k" * 32, password, FAST)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unlock_with_password(blob, other)


def test_password_lock_refuses_a_tampered_cost():
    blob = bytearray(crypto.lock_with_password(b"k" * 32, "pw", FAST))
    blob[5] ^= 0x01  # inside the stored opslimit
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unlock_with_password(bytes(blob), "pw")


@given(garbage=st.binary(max_size=100))
def test_password_unlock_refuses_garbage(garbage):
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unlock_with_password(garbage, "pw")
