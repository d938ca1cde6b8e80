"""JPEG 2000 pictures (in PDFs as JPXDecode streams, or inside documents).

Threats handled: XML boxes (usually XMP: author, camera, dates, GPS), UUID boxes
(XMP again, GeoJP2 coordinates, EXIF that some cameras and scanners add),
intellectual-property and URL boxes, and the comments in the codestream's main
header (encoder names, sometimes the scanning operator). Only the boxes needed
to decode the picture are kept, and the compressed pixels are not touched.
"""

from __future__ import annotations

import struct

from . import icc

JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
CODESTREAM_START = b"\xff\x4f\xff\x51"
# Boxes a decoder needs; everything else (xml , uuid, jp2i, uinf, asoc...) goes.
KEEP_BOXES = {b"jP  ", b"ftyp", b"rreq", b"jp2h", b"jp2c", b"jpch", b"jplh", b"res "}
_SOT, _COM = 0x90, 0x64
MAX_BOXES = 10_000


def boxes(data: bytes | bytearray) -> list[tuple[bytes, int, int, int]] | None:
    """Top-level boxes as (type, start, payload start, end), or None if broken."""
    found: list[tuple[bytes, int, int, int]] = []
    pos = 0
    while pos < len(data) and len(found) < MAX_BOXES:
        if pos + 8 > len(data):
            return None
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            if pos + 16 > len(data):
                return None
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:
            size = len(data) - pos
        if size < header or pos + size > len(data):
            return None
        found.append((kind, pos, pos + header, pos + size))
        pos += size
    return found


def strip_codestream(data: bytes) -> tuple[bytes, bool] | None:
    """The codestream without comment segments in its main header."""
    if not data.startswith(CODESTREAM_START):
        return None
    out = [data[:2]]
    removed = False
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == _SOT:
            out.append(data[pos:])
            return b"".join(out), removed
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            return None
        if marker == _COM:
            removed = True
        else:
            out.append(data[pos:end])
        pos = end
    return None


def _anonymise_header(box: bytes, offset: int) -> tuple[bytes, bool]:
    """The header box with the colour profile in its ``colr`` boxes blanked
    (see ``icc``); sizes do not change."""
    children = boxes(box[offset:])
    if children is None:
        return box, False
    result = bytearray(box)
    changed = False
    for kind, _start, payload, end in children:
        # Methods 2 and 3 carry an ICC profile after method, precedence, approx.
        if kind == b"colr" and payload < end and box[offset + payload] in (2, 3):
            first = offset + payload + 3
            profile, found = icc.neutralise(box[first : offset + end])
            result[first : offset + end] = profile
            changed = changed or found
    return bytes(result), changed


def strip(data: bytes) -> tuple[bytes, bool] | None:
    """The picture without metadata boxes and comments, and whether anything was
    removed; None if it is not JPEG 2000 or does not parse."""
    if data.startswith(CODESTREAM_START):
        return strip_codestream(data)
    if not data.startswith(JP2_SIGNATURE):
        return None
    found = boxes(data)
    if found is None:
        return None
    out = []
    removed = False
    for kind, start, payload, end in found:
        if kind not in KEEP_BOXES:
            removed = True
            continue
        if kind == b"jp2h":
            header, anonymised = _anonymise_header(data[start:end], payload - start)
            removed = removed or anonymised
            out.append(header)
        elif kind == b"jp2c":
            stream = strip_codestream(data[payload:end])
            if stream is None:
                return None
            removed = removed or stream[1]
            out.append(struct.pack(">I4s", 8 + len(stream[0]), kind) + stream[0])
        else:
            out.append(data[start:end])
    return b"".join(out), removed
