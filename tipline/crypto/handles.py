"""Browser handles: short-lived secrets that stand in for the receipt in a browser.

A reporter's browser must be able to reload the receipt page, or move around the
follow-up pages, without the receipt travelling in a URL or in a form body that the
browser keeps in its history and session files. Instead the browser holds a handle
(32 random bytes, in an HttpOnly cookie) and the server holds what the handle opens
(the receipt, a draft), encrypted under a key derived from the handle.

Threats handled: a copy of the database alone reveals nothing (no key), and the
cookie alone reveals nothing (the server deletes the row on sign-out and on expiry),
so a browser seized after sign-out holds nothing that opens the report.
"""

from __future__ import annotations

import base64
import binascii
from typing import NamedTuple

import nacl.encoding
import nacl.hash
import nacl.utils

HANDLE_BYTES = 32


class MalformedHandle(ValueError):
    """The text is not a handle this module made."""


class HandleKeys(NamedTuple):
    lookup: str
    key: bytes


def new_handle() -> bytes:
    """32 fresh random bytes."""
    return nacl.utils.random(HANDLE_BYTES)


def encode_handle(secret: bytes) -> str:
    """The handle as cookie-safe text."""
    return base64.urlsafe_b64encode(secret).decode("ascii").rstrip("=")


def decode_handle(text: str) -> bytes:
    """Reverse :func:`encode_handle`; MalformedHandle for anything else."""
    if len(text) != 43 or not text.isascii():
        raise MalformedHandle(text)
    try:
        raw = base64.urlsafe_b64decode(text + "=")
    except (binascii.Error, ValueError):
        raise MalformedHandle(text) from None
    if len(raw) != HANDLE_BYTES:
        raise MalformedHandle(text)
    return raw


def derive_handle_keys(secret: bytes, *, purpose: str) -> HandleKeys:
    """The row's lookup value (hex) and its encryption key, for one purpose.

    Different purposes give unrelated values, so a handle for one page never opens
    another page's row, and a row cannot be linked to the secret without it.
    """
    return HandleKeys(
        lookup=_blake(secret, b"tl-handle-look", purpose).hex(),
        key=_blake(secret, b"tl-handle-key", purpose),
    )


def _blake(secret: bytes, person: bytes, purpose: str) -> bytes:
    return nacl.hash.blake2b(
        purpose.encode("ascii"),
        digest_size=32,
        key=secret,
        person=person,
        encoder=nacl.encoding.RawEncoder,
    )
