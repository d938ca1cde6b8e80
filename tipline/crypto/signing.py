"""Signatures and codes for certificates and acknowledgements (issue 14, points 7
and 8).

- An Ed25519 key of the organisation signs what a certificate says. The threat
  handled: a forged or altered certificate (another name, another date, another
  organisation) fails to verify against the organisation's public key.
- A verification code (100 bits, Crockford base32 in groups of four) names one
  certificate. The server keeps two values derived from it with keyed BLAKE2b
  under the pepper, like a receipt: a lookup value and a key under which the
  certificate's record is sealed. A copy of the database reveals neither the codes
  nor what the certificates say.
- A commitment to a report's content, keyed with an opening key derived from the
  receipt alone: whoever holds the acknowledgement but neither the receipt nor the
  opening key (the organisation, a thief of the database, someone who searches
  the reporter's device) cannot test it against any report.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import NamedTuple

import nacl.encoding
import nacl.exceptions
import nacl.hash
from nacl.signing import SigningKey, VerifyKey

# Crockford's base32: no I, L, O or U, so nothing reads as another symbol.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_SYMBOLS = 20  # 100 bits
_GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-\u00a0\u3000\u2010-\u2015\u2212_.]+")
_SIGNATURE_CONTEXT = b"tipline-signed-v1\n"
SIGNATURE_BYTES = 64


class MalformedCode(ValueError):
    """The text cannot be a verification code (wrong length or symbols)."""


class CodeKeys(NamedTuple):
    lookup: bytes
    seal_key: bytes


def new_signing_seed() -> bytes:
    """32 random bytes: an Ed25519 private key (its seed)."""
    return bytes(SigningKey.generate())


def verify_key_of(seed: bytes) -> bytes:
    """The public half of an Ed25519 seed. ValueError if malformed."""
    try:
        return bytes(SigningKey(seed).verify_key)
    except (nacl.exceptions.CryptoError, TypeError) as exc:
        raise ValueError("not an Ed25519 private key") from exc


def sign_statement(seed: bytes, statement: bytes) -> bytes:
    """A 64-byte Ed25519 signature over ``statement`` (domain-separated)."""
    return bytes(SigningKey(seed).sign(_SIGNATURE_CONTEXT + statement).signature)


def statement_is_signed(public_key: bytes, statement: bytes, signature: bytes) -> bool:
    """True only if ``signature`` is ``public_key``'s over ``statement``."""
    try:
        VerifyKey(public_key).verify(_SIGNATURE_CONTEXT + statement, signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, ValueError):
        return False
    return True


def new_code() -> str:
    """A fresh verification code, normalised (no separators)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SYMBOLS))


def format_code(code: str) -> str:
    """``"ABCD1234..."`` -> ``"ABCD-1234-..."``, easy to read out."""
    return "-".join(code[i : i + _GROUP] for i in range(0, len(code), _GROUP))


def normalise_code(text: str) -> str:
    """Accept what people type or paste: any case, spaces or dashes, full-width
    forms, and O, I, L for 0, 1, 1. Raise MalformedCode otherwise."""
    if len(text) > 4 * CODE_SYMBOLS:
        raise MalformedCode(text[:80])
    folded = unicodedata.normalize("NFKC", text).upper()
    code = _SEPARATORS.sub("", folded).translate(_READ_AS)
    if len(code) != CODE_SYMBOLS or any(ch not in CODE_ALPHABET for ch in code):
        raise MalformedCode(text)
    return code


def derive_code_keys(code: str, pepper: bytes) -> CodeKeys:
    """The lookup value and sealing key of a normalised code."""
    key = nacl.hash.blake2b(
        pepper, digest_size=32, person=b"tipline-cert-pep", encoder=_RAW
    )
    data = code.encode("ascii")
    return CodeKeys(
        lookup=_blake(data, key, b"tipline-cert-lkp"),
        seal_key=_blake(data, key, b"tipline-cert-key"),
    )


def opening_key_from_receipt(receipt: str) -> bytes:
    """The key that opens a report's commitment, from its normalised receipt.

    No pepper: the reporter (or someone they give it to) must be able to derive
    it without the server. The receipt's 93 bits keep it out of reach of guessing.
    """
    return nacl.hash.blake2b(
        receipt.encode("ascii"),
        digest_size=32,
        person=b"tipline-ack-open",
        encoder=_RAW,
    )


def commit_to_content(opening_key: bytes, nonce: bytes, content: bytes) -> bytes:
    """A keyed BLAKE2b commitment to ``content``. The nonce, printed on each
    acknowledgement, makes two acknowledgements of one report unlinkable to each
    other as well."""
    return nacl.hash.blake2b(
        nonce + content,
        digest_size=32,
        key=opening_key,
        person=b"tipline-ack-cmt",
        encoder=_RAW,
    )


_RAW = nacl.encoding.RawEncoder


def _blake(data: bytes, key: bytes, person: bytes) -> bytes:
    return nacl.hash.blake2b(data, digest_size=32, key=key, person=person, encoder=_RAW)
