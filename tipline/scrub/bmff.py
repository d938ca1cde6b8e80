"""In-place neutralisation of metadata boxes in M4A (ISO BMFF) audio.

Threats handled: recording timestamps in the movie, track and media headers, and
metadata outside the iTunes tag list that mutagen removes: QuickTime ``meta``
boxes with location keys, ``udta`` entries such as ``©xyz`` (GPS position) and
recorder or device names. Boxes are overwritten with a ``free`` box of the same
size, so no offset in the file changes and the audio data stays untouched.
"""

from __future__ import annotations

import struct

from .result import FileRejected

CONTAINERS = {b"moov", b"trak", b"mdia", b"udta", b"meta"}
HEADERS = {b"mvhd", b"tkhd", b"mdhd"}
# Kept inside udta/meta: mutagen's (now empty) tag list and its handler.
KEEP_IN_META = {b"hdlr", b"ilst"}
PADDING = {b"free", b"skip"}
MAX_DEPTH = 8


Box = tuple[bytes, int, int]  # type, start, end


def _boxes(data: bytes | bytearray, start: int, end: int) -> list[Box]:
    """The boxes (type, start, end) directly inside ``data[start:end]``."""
    found = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise FileRejected("damaged")
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:
            size = end - pos  # extends to the end of the enclosing box
        if size < header or pos + size > end:
            raise FileRejected("damaged")
        found.append((kind, pos, pos + size))
        pos += size
    return found


def _free(data: bytearray, start: int, end: int) -> None:
    """Turn a box into a ``free`` box of the same size and blank its content."""
    large = struct.unpack(">I", data[start : start + 4])[0] == 1
    header = 16 if large else 8  # a 64-bit size box keeps its longer header
    data[start + 4 : start + 8] = b"free"
    data[start + header : end] = bytes(end - start - header)


def _zero_times(data: bytearray, start: int, end: int, found: set[str]) -> None:
    """Zero the creation and modification times of a movie/track/media header."""
    body = start + 8
    if body >= end:
        return
    width = 8 if data[body] == 1 else 4
    times = slice(body + 4, body + 4 + 2 * width)
    if times.stop > end:
        raise FileRejected("damaged")
    if any(data[times]):
        data[times] = bytes(2 * width)
        found.add("datetime")


def _drop(data: bytearray, kind: bytes, start: int, end: int, found: set[str]) -> None:
    """Blank a metadata box, unless it is only padding."""
    if kind not in PADDING:
        found.add("gps" if kind == b"\xa9xyz" else "other_metadata")
        _free(data, start, end)


def _droppable(kind: bytes, parent: bytes) -> bool:
    """User data entries, meta children besides the tag list, QuickTime meta."""
    if kind == b"meta":
        return parent != b"udta"  # QuickTime keys (location) in moov or trak
    if parent == b"udta":
        return True
    return parent == b"meta" and kind not in KEEP_IN_META


def _meta_offset(data: bytearray, start: int) -> int:
    """iTunes meta boxes have four bytes of version and flags; QuickTime's do not."""
    return 8 if data[start + 12 : start + 16] == b"hdlr" else 12


def _walk(data: bytearray, start: int, end: int, path: tuple[bytes, ...]) -> set[str]:
    """Zero header timestamps and blank metadata boxes, recursively."""
    found: set[str] = set()
    if len(path) > MAX_DEPTH:
        raise FileRejected("damaged")
    parent = path[-1] if path else b""
    for kind, box_start, box_end in _boxes(data, start, end):
        if kind in HEADERS:
            _zero_times(data, box_start, box_end, found)
        elif _droppable(kind, parent):
            _drop(data, kind, box_start, box_end, found)
        elif kind in CONTAINERS:
            offset = _meta_offset(data, box_start) if kind == b"meta" else 8
            found |= _walk(data, box_start + offset, box_end, (*path, kind))
    return found


def neutralise(data: bytes) -> tuple[bytes, set[str]]:
    """The file with metadata boxes blanked out, and what was found."""
    buffer = bytearray(data)
    found = _walk(buffer, 0, len(buffer), ())
    return bytes(buffer), found


def check_video(data: bytes) -> None:
    """The file must parse as a sequence of boxes that includes the movie box.

    Video is stored unchanged, so this only makes sure it is what it claims to be.
    """
    kinds = [kind for kind, _, _ in _boxes(data, 0, len(data))]
    if b"moov" not in kinds:
        raise FileRejected("damaged")
