"""Reading and writing zip containers (Office and ODT files) without trusting them.

Threats handled: decompression bombs (huge declared sizes, extreme compression
ratios, a flood of members, packages nested inside packages: one ``Budget`` is
spent across every nesting level, and it is also bounded by the size of the file
as received), headers that lie about sizes, duplicate member names
that different readers resolve differently, encrypted members we cannot clean, and
identifying zip-level details (timestamps, extra fields, the archive comment).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from .result import FileRejected

MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 5_000
MAX_RATIO = 200
# Small parts of real documents (repetitive XML) can exceed the ratio, but a part
# below this size cannot be a bomb; the total budget still bounds all of them
# together. A part of exactly this size is checked (it once escaped: issue 12).
RATIO_MIN_BYTES = 1024 * 1024
# The whole package, nested packages included, inflates to at most this many times
# the file as received (plus a small allowance for tiny files): real documents
# inflate about ten times, and every inflated byte is parsed and compressed again.
MAX_TOTAL_RATIO = 20
TOTAL_ALLOWANCE_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
# DOS epoch: member timestamps would otherwise reveal when the author saved.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_OPEN_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    struct.error,
    NotImplementedError,
)
_READ_ERRORS = (*_OPEN_ERRORS, zlib.error, RuntimeError)


@dataclass
class Budget:
    """The bytes that may still be inflated for one uploaded file, shared by every
    nesting level (a fresh budget per level let 46 MB inflate to 40 GB)."""

    remaining: int = MAX_TOTAL_BYTES

    @classmethod
    def for_file(cls, size: int) -> Budget:
        return cls(min(MAX_TOTAL_BYTES, MAX_TOTAL_RATIO * size + TOTAL_ALLOWANCE_BYTES))

    def spend(self, size: int) -> None:
        self.remaining -= size
        if self.remaining < 0:
            raise FileRejected("zip_bomb")


@dataclass
class Member:
    """One member's name, content and whether it was stored uncompressed."""

    name: str
    data: bytes
    stored: bool


def open_zip(data: bytes, budget: Budget) -> zipfile.ZipFile:
    """Open an archive held in memory, rejecting bombs before any member is read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _OPEN_ERRORS:
        raise FileRejected("damaged") from None
    check_limits(infos, budget)
    return archive


def check_limits(infos: list[zipfile.ZipInfo], budget: Budget) -> None:
    """Reject archives whose central directory already shows a bomb or ambiguity."""
    if len(infos) > MAX_MEMBERS:
        raise FileRejected("zip_bomb")
    if sum(info.file_size for info in infos) > budget.remaining:
        raise FileRejected("zip_bomb")
    for info in infos:
        ratio_applies = info.file_size >= RATIO_MIN_BYTES
        if ratio_applies and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise FileRejected("zip_bomb")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise FileRejected("damaged")
    if any(info.flag_bits & 0x1 for info in infos):
        raise FileRejected("encrypted")
    if any(info.compress_type not in ALLOWED_COMPRESSION for info in infos):
        raise FileRejected("damaged")


def read_capped(stream: IO[bytes], limit: int) -> bytes:
    """Read at most ``limit`` bytes; more than that means the headers lied."""
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(CHUNK_BYTES, limit + 1 - total))
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > limit:
            raise FileRejected("zip_bomb")
        parts.append(chunk)


def read_members(archive: zipfile.ZipFile, budget: Budget) -> list[Member]:
    """Every member in archive order, with a hard cap on the bytes inflated."""
    members = []
    for info in archive.infolist():
        limit = min(info.file_size, max(budget.remaining, 0))
        try:
            with archive.open(info) as stream:
                content = read_capped(stream, limit)
        except _READ_ERRORS:
            raise FileRejected("damaged") from None
        budget.spend(len(content))
        stored = info.compress_type == zipfile.ZIP_STORED
        members.append(Member(info.filename, content, stored))
    return members


def read_one(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """One small member by name; None when absent or declared larger than limit."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        return None
    try:
        with archive.open(info) as stream:
            return read_capped(stream, info.file_size)
    except _READ_ERRORS:
        raise FileRejected("damaged") from None


def build_zip(members: list[Member]) -> bytes:
    """A fresh archive: fixed timestamps, no extra fields, no archive comment."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=FIXED_TIME)
            info.create_system = 0
            info.external_attr = 0
            info.compress_type = (
                zipfile.ZIP_STORED if member.stored else zipfile.ZIP_DEFLATED
            )
            archive.writestr(info, member.data)
    return out.getvalue()
