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
from typing import IO, TYPE_CHECKING, BinaryIO

import nacl.bindings as sodium
import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.utils

from tipline.crypto.keys import KEY_BYTES, DecryptionFailed

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

CHUNK = 64 * 1024
SALT_BYTES = 16
_HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
# EncryptedSpool: one AEAD per chunk, nonce = random prefix + chunk number.
_SPOOL_NONCE = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_SPOOL_PREFIX = 16
_SPOOL_ABYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES


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


def encrypt_stream(key: bytes, source: IO[bytes]) -> Iterator[bytes]:
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


def decrypt_stream(key: bytes, source: IO[bytes]) -> Iterator[bytes]:
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

    def readinto(self, target: WriteableBuffer) -> int:
        while not self._buffer:
            try:
                self._buffer = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        view = memoryview(target).cast("B")
        size = min(len(view), len(self._buffer))
        view[:size] = self._buffer[:size]
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
    """A write-once file object that keeps what is written encrypted in a temporary
    file, under a key that exists only in this object's memory, and can be read
    back from any position.

    For uploads and for tools that write a large output in one piece (qpdf hands
    over a whole 50 MB image stream in one call): holding those bytes in memory
    would multiply a process's memory per upload. The temporary file is unlinked at
    once and holds only ciphertext; when the spool is dropped its key is gone, so
    what is left on disk is unreadable. Size and SHA-256 of the plaintext are
    computed on the way in.

    Each CHUNK of plaintext is sealed on its own (XChaCha20-Poly1305, libsodium's
    AEAD) under a nonce made of a random prefix and the chunk's number, so a
    reader can decrypt just the chunk a position falls in (qpdf seeks around a
    PDF) while a chunk moved, altered or swapped with another still fails. The
    length is kept in memory, so a truncated file cannot pass for a shorter one.
    """

    def __init__(self) -> None:
        super().__init__()
        self._key = nacl.utils.random(KEY_BYTES)
        self._prefix = nacl.utils.random(_SPOOL_PREFIX)
        self._file = tempfile.TemporaryFile()
        self._pending = bytearray()
        self._count = 0
        self._digest = hashlib.sha256()
        self.size = 0
        self._finished = False

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        if self._finished:
            raise ValueError("spool already finished")
        view = memoryview(data).cast("B")
        self._digest.update(view)
        self.size += len(view)
        position = 0
        if self._pending:
            position = min(CHUNK - len(self._pending), len(view))
            self._pending += view[:position]
            if len(self._pending) == CHUNK:
                self._seal(self._pending)
                self._pending.clear()
        # Whole chunks go straight from the caller's buffer to ciphertext; only a
        # remainder shorter than a chunk is kept.
        while len(view) - position >= CHUNK:
            self._seal(view[position : position + CHUNK])
            position += CHUNK
        self._pending += view[position:]
        return len(view)

    def finish(self) -> None:
        """Seal the last, shorter chunk; nothing can be written after this."""
        if not self._finished:
            if self._pending:
                self._seal(self._pending)
            self._pending = bytearray()
            self._finished = True

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def chunks(self) -> Iterator[bytes]:
        """The plaintext again, chunk by chunk (after ``finish``)."""
        self._check_finished()
        return (self.read_chunk(index) for index in range(self._count))

    def reader(self) -> BinaryIO:
        """A readable, seekable file object over the plaintext (after ``finish``)."""
        self._check_finished()
        return io.BufferedReader(_SpoolReader(self), buffer_size=CHUNK)

    def read_chunk(self, index: int) -> bytes:
        """Decrypt chunk ``index``; DecryptionFailed if it was altered."""
        self._file.seek(index * (CHUNK + _SPOOL_ABYTES))
        sealed = self._file.read(CHUNK + _SPOOL_ABYTES)
        try:
            return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                sealed, None, self._nonce(index), self._key
            )
        except nacl.exceptions.CryptoError:
            raise DecryptionFailed from None

    def close(self) -> None:
        self._file.close()
        super().close()

    def _check_finished(self) -> None:
        if not self._finished:
            raise ValueError("spool not finished")

    def _nonce(self, index: int) -> bytes:
        return self._prefix + index.to_bytes(_SPOOL_NONCE - _SPOOL_PREFIX, "big")

    def _seal(self, chunk: bytes | bytearray | memoryview) -> None:
        self._file.write(
            sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
                bytes(chunk), None, self._nonce(self._count), self._key
            )
        )
        self._count += 1


class _SpoolReader(io.RawIOBase):
    """Random access to a finished spool's plaintext, one chunk decrypted at a
    time (the last one is kept for the small sequential reads parsers make)."""

    def __init__(self, spool: EncryptedSpool) -> None:
        super().__init__()
        self._spool = spool
        self._position = 0
        self._cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            base = 0
        elif whence == io.SEEK_CUR:
            base = self._position
        elif whence == io.SEEK_END:
            base = self._spool.size
        else:
            raise ValueError(f"invalid whence: {whence}")
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, target: WriteableBuffer) -> int:
        if self._position >= self._spool.size:
            return 0
        index, offset = divmod(self._position, CHUNK)
        if self._cached is None or self._cached[0] != index:
            self._cached = (index, self._spool.read_chunk(index))
        chunk = memoryview(self._cached[1])
        view = memoryview(target).cast("B")
        size = min(len(view), len(chunk) - offset)
        view[:size] = chunk[offset : offset + size]
        self._position += size
        return size
