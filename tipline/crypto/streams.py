"""Encrypting files as streams (libsodium secretstream, XChaCha20-Poly1305).

Threat handled: evidence files in the file store or object storage are readable by
nobody without the report's data key, and a file that was truncated, reordered or
altered chunk by chunk fails to decrypt instead of yielding partial content.
Files are processed chunk by chunk so that a large upload never needs a second
full-size ciphertext copy in memory.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
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


class ChunkReader(io.RawIOBase):
    """A read-only file object over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
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


class EncryptingReader(ChunkReader):
    """A read-only file object whose bytes are the encryption of ``source``.

    Lets storage backends (local files, S3 uploads) pull ciphertext as they write,
    so plaintext goes from memory straight to ciphertext on disk or the network.
    """

    def __init__(self, key: bytes, source: BinaryIO) -> None:
        super().__init__(encrypt_stream(key, source))


class EncryptedSpool(io.RawIOBase):
    """A write-only file object that keeps what is written encrypted in a temporary
    file, under a key that exists only in this object's memory.

    For tools that write a large output in one piece (qpdf hands over a whole
    50 MB image stream in one call): holding that output in memory next to its
    input would triple a process's memory per upload. The temporary file is
    unlinked at once and holds only ciphertext; when the spool is dropped its key
    is gone, so what is left on disk is unreadable. Size and SHA-256 of the
    plaintext are computed on the way in.
    """

    def __init__(self) -> None:
        super().__init__()
        self._key = nacl.utils.random(KEY_BYTES)
        self._file = tempfile.TemporaryFile()
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        self._file.write(
            sodium.crypto_secretstream_xchacha20poly1305_init_push(
                self._state, self._key
            )
        )
        self._pending = bytearray()
        self._digest = hashlib.sha256()
        self.size = 0
        self._finished = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._finished:
            raise ValueError("spool already finished")
        view = memoryview(data).cast("B")
        self._digest.update(view)
        self.size += len(view)
        # Whole chunks go straight from the caller's buffer to ciphertext; only a
        # remainder shorter than a chunk is kept. The last chunk is pushed by
        # finish(), so a full chunk waits in ``_pending`` until more data comes.
        position = 0
        while len(view) - position > 0:
            room = CHUNK - len(self._pending)
            if room == 0:
                self._push(bytes(self._pending), _TAG_MESSAGE)
                self._pending.clear()
                continue
            self._pending += view[position : position + room]
            position += room
        return len(view)

    def finish(self) -> None:
        """Write the final chunk; nothing can be written after this."""
        if not self._finished:
            self._push(bytes(self._pending), _TAG_FINAL)
            self._pending = bytearray()
            self._finished = True

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def chunks(self) -> Iterator[bytes]:
        """The plaintext again, chunk by chunk (after ``finish``)."""
        if not self._finished:
            raise ValueError("spool not finished")
        self._file.seek(0)
        return decrypt_stream(self._key, self._file)

    def reader(self) -> BinaryIO:
        """A readable file object over the plaintext (after ``finish``)."""
        return io.BufferedReader(ChunkReader(self.chunks()))

    def close(self) -> None:
        self._file.close()
        super().close()

    def _push(self, chunk: bytes, tag: int) -> None:
        self._file.write(
            sodium.crypto_secretstream_xchacha20poly1305_push(
                self._state, chunk, tag=tag
            )
        )
