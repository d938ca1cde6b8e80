"""WAV audio: rebuilt chunk by chunk, keeping only what is needed to play it.

Threats handled: LIST/INFO tags (artist, title, software, dates), ID3 chunks,
Broadcast WAV and iXML recorder details (originator, device, time of recording),
XMP, and anything hidden in unknown chunks or after the end of the RIFF data.
Mutagen cannot remove INFO chunks, so this small parser does it.
"""

from __future__ import annotations

import struct

from .result import FileRejected

KEEP = (b"fmt ", b"data", b"fact")
CHUNK_CODES = {
    b"LIST": "tags",
    b"id3 ": "tags",
    b"ID3 ": "tags",
    b"_PMX": "xmp",
}
# Padding chunks: dropped, but they hold no metadata worth reporting.
PADDING = {b"JUNK", b"junk", b"PAD ", b"pad ", b"FLLR"}


def chunks(data: bytes) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The RIFF chunks (id, payload) and any bytes after the RIFF data."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise FileRejected("damaged")
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data) or riff_size < 4:
        raise FileRejected("damaged")
    found = []
    pos = 12
    while pos < end:
        if pos + 8 > end:
            raise FileRejected("damaged")
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        start, stop = pos + 8, pos + 8 + size
        if stop > end:
            raise FileRejected("damaged")
        found.append((chunk_id, data[start:stop]))
        pos = stop + (size & 1)  # chunks are padded to an even length
    return found, data[end:]


def _check_layout(ids: list[bytes]) -> None:
    """Exactly one format chunk, before exactly one data chunk."""
    if ids.count(b"fmt ") != 1 or ids.count(b"data") != 1:
        raise FileRejected("damaged")
    if ids.index(b"fmt ") > ids.index(b"data"):
        raise FileRejected("damaged")


def build(kept: list[tuple[bytes, bytes]]) -> bytes:
    """A RIFF/WAVE file from chunks, with correct sizes and padding."""
    parts = [b"WAVE"]
    for chunk_id, payload in kept:
        parts += [chunk_id, struct.pack("<I", len(payload)), payload]
        if len(payload) & 1:
            parts.append(b"\x00")
    body = b"".join(parts)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def clean(data: bytes) -> tuple[bytes, set[str]]:
    """The WAV file with only its format, fact and sample data chunks."""
    found_chunks, trailing = chunks(data)
    _check_layout([chunk_id for chunk_id, _ in found_chunks])
    found = set()
    for chunk_id, _ in found_chunks:
        if chunk_id not in KEEP and chunk_id not in PADDING:
            found.add(CHUNK_CODES.get(chunk_id, "other_metadata"))
    if trailing.strip(b"\x00"):
        found.add("other_metadata")
    kept = [(cid, payload) for cid, payload in found_chunks if cid in KEEP]
    return build(kept), found


def only_kept_chunks(data: bytes) -> bool:
    """Whether a cleaned file holds nothing but the chunks we keep."""
    found_chunks, trailing = chunks(data)
    return not trailing and all(cid in KEEP for cid, _ in found_chunks)
