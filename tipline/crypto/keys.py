"""Symmetric encryption, public-key sealing and password-locked keys."""

from __future__ import annotations

import struct
from typing import NamedTuple

import nacl.exceptions
import nacl.pwhash
import nacl.utils
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import Aead

KEY_BYTES = Aead.KEY_SIZE  # 32
_PASSWORD_FORMAT = b"P1"
_SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
_OPS_RANGE = (nacl.pwhash.argon2id.OPSLIMIT_MIN, 32)
_MEM_RANGE = (nacl.pwhash.argon2id.MEMLIMIT_MIN, 2**30)


class DecryptionFailed(Exception):
    """The key is wrong, or the ciphertext (or its context) was altered."""


class KeyPair(NamedTuple):
    public: bytes
    private: bytes


class PasswordCost(NamedTuple):
    """Argon2id work factors; stored beside each locked key so they can change."""

    opslimit: int
    memlimit: int


def new_data_key() -> bytes:
    """A fresh random 256-bit key, e.g. one report's data key."""
    return nacl.utils.random(KEY_BYTES)


def encrypt(key: bytes, plaintext: bytes, *, context: bytes) -> bytes:
    """Encrypt with XChaCha20-Poly1305 under ``key`` (random 192-bit nonce).

    ``context`` is authenticated but not encrypted: it binds the ciphertext to its
    place (e.g. ``b"report:42:answers"``), so a blob copied into another row or
    field fails to decrypt instead of being shown out of context.
    """
    return bytes(Aead(key).encrypt(plaintext, aad=context))


def decrypt(key: bytes, blob: bytes, *, context: bytes) -> bytes:
    """Reverse :func:`encrypt`; raise :class:`DecryptionFailed` on any mismatch."""
    try:
        return Aead(key).decrypt(blob, aad=context)
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise DecryptionFailed("ciphertext could not be decrypted") from exc


def generate_keypair() -> KeyPair:
    """A new X25519 key pair, for a staff member or the organisation's escrow."""
    private = PrivateKey.generate()
    return KeyPair(public=bytes(private.public_key), private=bytes(private))


def public_key_of(private_key: bytes) -> bytes:
    """The public half of an X25519 private key, e.g. to check that a key handed
    in by an operator is the one this instance seals to. ValueError if malformed."""
    try:
        return bytes(PrivateKey(private_key).public_key)
    except (nacl.exceptions.CryptoError, TypeError) as exc:
        raise ValueError("not an X25519 private key") from exc


def seal_for_staff(data: bytes, public_key: bytes) -> bytes:
    """Seal ``data`` (typically a report's data key) so only ``public_key``'s owner
    can open it. Anonymous sender: the blob does not say who sealed it."""
    return bytes(SealedBox(PublicKey(public_key)).encrypt(data))


def open_as_staff(blob: bytes, private_key: bytes) -> bytes:
    """Open a blob made by :func:`seal_for_staff` with the matching private key."""
    try:
        return SealedBox(PrivateKey(private_key)).decrypt(blob)
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise DecryptionFailed("sealed blob could not be opened") from exc


def lock_with_password(secret: bytes, password: str, cost: PasswordCost) -> bytes:
    """Encrypt ``secret`` under a key derived from ``password`` with Argon2id.

    Handles offline guessing of a staff password from a stolen database: each guess
    costs one Argon2id run with ``cost``. The salt and cost are stored in the blob,
    so the cost can be raised later without breaking existing keys.
    """
    salt = nacl.utils.random(_SALT_BYTES)
    key = _password_key(password, salt, cost)
    header = _PASSWORD_FORMAT + struct.pack(">IQ", cost.opslimit, cost.memlimit) + salt
    return header + encrypt(key, secret, context=header)


def unlock_with_password(blob: bytes, password: str) -> bytes:
    """Reverse :func:`lock_with_password`; a wrong password raises DecryptionFailed."""
    header_len = len(_PASSWORD_FORMAT) + 12 + _SALT_BYTES
    header, body = blob[:header_len], blob[header_len:]
    if len(header) != header_len or not header.startswith(_PASSWORD_FORMAT):
        raise DecryptionFailed("not a password-locked blob")
    opslimit, memlimit = struct.unpack(">IQ", header[2:14])
    # The cost is read from the blob: bound it, so a tampered blob cannot make the
    # server spend unbounded memory or time before the tag check fails.
    if not (_OPS_RANGE[0] <= opslimit <= _OPS_RANGE[1]) or not (
        _MEM_RANGE[0] <= memlimit <= _MEM_RANGE[1]
    ):
        raise DecryptionFailed("password cost out of range")
    key = _password_key(password, header[14:], PasswordCost(opslimit, memlimit))
    return decrypt(key, body, context=header)


def _password_key(password: str, salt: bytes, cost: PasswordCost) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        KEY_BYTES,
        password.encode("utf-8"),
        salt,
        opslimit=cost.opslimit,
        memlimit=cost.memlimit,
    )
