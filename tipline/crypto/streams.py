"""Encrypting files as streams (libsodium secretstream, XChaCha20-Poly1305).

Threat handled: evidence files in the file store or object storage are readable by
nobody without the report's data key, and a file that was truncated, reordered or
altered chunk by chunk fails to decrypt instead of yielding partial content.
Files are processed chunk by chunk so that a large upload never needs a second
full-size ciphertext copy in memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO

import nacl.bindings as sodium
import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.utils

from tipline.crypto.keys import KEY_BYTES, DecryptionFailed

CHUNK = 64 * 1024
SALT_BYTES = 16
_HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL


def new_salt() -> bytes:
    return nacl.utils.random(SALT_BYTES)


def derive_file_key(master_key: bytes, salt: bytes) -> bytes:
    """A per-file key derived from ``master_key`` (a report's data key) and a salt.

    Every file gets its own key, so one key never encrypts two files, while only
    the report's data key needs to be sealed to each reader.
    """
    return nacl.hash.blake2b(
        b"file",
        digest_size=KEY_BYTES,
        key=master_key,
        salt=salt,
        person=b"tipline-file",
        encoder=nacl.encoding.RawEncoder,
    )


def encrypt_stream(key: bytes, source: BinaryIO) -> Iterator[bytes]:
    """Yield the header, then one ciphertext chunk per CHUNK bytes of ``source``."""
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    yield sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        tag = _TAG_MESSAGE if following else _TAG_FINAL
        yield sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, tag=tag)
        if not following:
            return
        chunk = following


def decrypt_stream(key: bytes, source: BinaryIO) -> Iterator[bytes]:
    """Yield plaintext chunks; raise DecryptionFailed if anything is wrong, including
    a stream that ends before its final chunk."""
    header = source.read(_HEADER)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise DecryptionFailed("bad stream header") from exc
    while True:
        block = source.read(CHUNK + _ABYTES)
        if not block:
            raise DecryptionFailed("stream truncated")
        try:
            plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, block)
        except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
            raise DecryptionFailed("stream chunk altered") from exc
        yield plain
        if tag == _TAG_FINAL:
            if source.read(1):
                raise DecryptionFailed("data after the final chunk")
            return


class EncryptingReader(io.RawIOBase):
    """A read-only file object whose bytes are the encryption of ``source``.

    Lets storage backends (local files, S3 uploads) pull ciphertext as they write,
    so plaintext goes from memory straight to ciphertext on disk or the network.
    """

    def __init__(self, key: bytes, source: BinaryIO) -> None:
        self._chunks = encrypt_stream(key, source)
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            try:
                self._buffer = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size
