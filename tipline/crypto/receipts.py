"""Receipt codes: the reporter's only credential.

A receipt is 28 decimal digits (about 93 bits of entropy), shown in groups of four
so it can be read over the phone. It is never stored. The server keeps two values
derived from it with keyed BLAKE2b:

- a lookup value, to find the report when the reporter signs in;
- a wrapping key, under which the report's data key is stored for the reporter.

Both derivations are keyed with a server-side secret (the "pepper"). The threat
handled: an attacker holding the database but not the pepper cannot test guesses at
all; one holding both must still search 2**93 receipts. That is why the derivation
can be fast (microseconds) instead of a slow password hash: the receipt is not a
human-chosen password, and a slow hash would add nothing against a 93-bit search
while making every follow-up sign-in expensive for the server.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import nacl.encoding
import nacl.hash

RECEIPT_DIGITS = 28
_GROUP = 4
_SEPARATORS = re.compile(r"[\s\-\u00a0\u3000]+")


class MalformedReceipt(ValueError):
    """The text cannot be a receipt (wrong length or not digits)."""


class ReceiptKeys(NamedTuple):
    lookup: bytes
    wrap_key: bytes


def receipt_from_token(token_secret: bytes, pepper: bytes) -> str:
    """Derive the receipt for a submission from the secret in its form token.

    Deriving it (instead of drawing it at random after the fact) makes submission
    idempotent: a double-submitted form or a retry after a lost response carries the
    same token, so the reporter is shown the same receipt and no second report is
    made. ``token_secret`` is 32 random bytes that exist only in the reporter's form.
    """
    digest = nacl.hash.blake2b(
        token_secret,
        digest_size=64,
        key=_pepper_key(pepper),
        person=b"tipline-receipt",
        encoder=nacl.encoding.RawEncoder,
    )
    number = int.from_bytes(digest, "big") % (10**RECEIPT_DIGITS)
    return f"{number:0{RECEIPT_DIGITS}d}"


def format_receipt(receipt: str) -> str:
    """``"1234567812345678..."`` -> ``"1234 5678 1234 5678 ..."``."""
    return " ".join(receipt[i : i + _GROUP] for i in range(0, len(receipt), _GROUP))


def normalise_receipt(text: str) -> str:
    """Accept what people type or paste (spaces, dashes, full-width digits)."""
    digits = _SEPARATORS.sub("", text).strip()
    digits = "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in digits
    )
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        raise MalformedReceipt(text)
    return digits


def derive_receipt_keys(receipt: str, pepper: bytes) -> ReceiptKeys:
    """The lookup value and the wrapping key for a normalised receipt."""
    key = _pepper_key(pepper)
    data = receipt.encode("ascii")
    return ReceiptKeys(
        lookup=_blake(data, key, b"tipline-lookup"),
        wrap_key=_blake(data, key, b"tipline-wrap"),
    )


def reporter_only_key(receipt: str, pepper: bytes) -> bytes:
    """A key for what only the reporter may open again, such as the code of their
    commendation certificate: derived from the normalised receipt like the
    wrapping key, but under its own name, so the case's data key (which staff
    hold) never opens it."""
    return _blake(receipt.encode("ascii"), _pepper_key(pepper), b"tipline-own")


def _pepper_key(pepper: bytes) -> bytes:
    # BLAKE2b keys are at most 64 bytes; hash any configured secret down to 32.
    return nacl.hash.blake2b(
        pepper,
        digest_size=32,
        person=b"tipline-pepper",
        encoder=nacl.encoding.RawEncoder,
    )


def _blake(data: bytes, key: bytes, person: bytes) -> bytes:
    return nacl.hash.blake2b(
        data, digest_size=32, key=key, person=person, encoder=nacl.encoding.RawEncoder
    )
