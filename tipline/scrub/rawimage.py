"""Lossless removal of metadata from pictures embedded in documents.

Photos pasted into a PDF, Word file or ODT keep their own EXIF (GPS, camera
serial numbers), XMP and comments (JPEG, PNG, WebP; JPEG 2000 in ``jp2``).
Re-encoding them would change the document's appearance, so these helpers drop
the metadata segments and chunks and keep the compressed pixels byte for byte.
Input that does not parse is returned as None and left to the caller (and to
the final check in ``verify``).
"""

from __future__ import annotations

import struct
import zlib

from . import icc as icc_profiles
from . import jp2

JPEG_SOI = b"\xff\xd8"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# APP0 JFIF, APP2 ICC profile and APP14 Adobe change how pixels are decoded.
_KEEP_APP_PREFIXES = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
_STANDALONE_MARKERS = {0x01, *range(0xD0, 0xD8)}
_SOS, _EOI, _COM = 0xDA, 0xD9, 0xFE
# Chunks that only describe how to display the pixels; all others are dropped.
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB",
    b"iCCP", b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT", b"cICP",
}  # fmt: skip


# WebP chunks needed to show the picture; EXIF, XMP and unknown chunks go.
_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_WEBP_EXIF_FLAG, _WEBP_XMP_FLAG = 0x08, 0x04


def strip_embedded(data: bytes) -> tuple[bytes, bool] | None:
    """The image without metadata and whether anything was removed, if JPEG,
    PNG, WebP or JPEG 2000."""
    if data.startswith(JPEG_SOI):
        return strip_jpeg(data)
    if data.startswith(PNG_SIGNATURE):
        return strip_png(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return strip_webp(data)
    return jp2.strip(data)


def strip_webp(data: bytes) -> tuple[bytes, bool] | None:
    """Drop the EXIF and XMP chunks (and unknown ones), and clear their flags."""
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = min(8 + riff_size, len(data))
    out = []
    removed = end < len(data) and bool(data[end:].strip(b"\x00"))
    pos = 12
    while pos < end:
        if pos + 8 > end:
            return None
        kind = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        stop = pos + 8 + size + (size & 1)
        if pos + 8 + size > end:
            return None
        chunk = bytearray(data[pos:stop])
        if kind == b"VP8X" and size >= 1:
            chunk[8] &= ~(_WEBP_EXIF_FLAG | _WEBP_XMP_FLAG) & 0xFF
        elif kind == b"ICCP":
            profile, anonymised = icc_profiles.neutralise(bytes(chunk[8 : 8 + size]))
            chunk[8 : 8 + size] = profile
            removed = removed or anonymised
        if kind in _WEBP_KEEP:
            out.append(bytes(chunk))
        else:
            removed = True
        pos = stop
    body = b"WEBP" + b"".join(out)
    return b"RIFF" + struct.pack("<I", len(body)) + body, removed


def _keep_segment(marker: int, payload: bytes) -> bool:
    """Keep non-metadata segments and the APPn segments pixels depend on."""
    if marker == _COM or 0xE0 <= marker <= 0xEF:
        prefix = _KEEP_APP_PREFIXES.get(marker)
        return prefix is not None and payload.startswith(prefix)
    return True


def _scan_end(data: bytes, pos: int) -> int | None:
    """Where the entropy-coded data after a SOS header ends (the next marker)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return None
        following = data[pos + 1]
        if following == 0 or following == 0xFF or 0xD0 <= following <= 0xD7:
            pos += 1
            continue
        return pos


def strip_jpeg(data: bytes) -> tuple[bytes, bool] | None:
    """Drop EXIF, XMP, IPTC, comments and anything after the end of the image."""
    out = [JPEG_SOI]
    removed = False
    pos = 2
    while pos + 1 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1  # fill byte
            continue
        if marker == _EOI:
            out.append(data[pos : pos + 2])
            removed = removed or bool(data[pos + 2 :].strip(b"\x00"))
            removed = _anonymise_jpeg(out) or removed
            return b"".join(out), removed
        if marker in _STANDALONE_MARKERS:
            out.append(data[pos : pos + 2])
            pos += 2
            continue
        if pos + 4 > len(data):
            return None
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            return None
        if marker == _SOS:
            scan_end = _scan_end(data, end)
            if scan_end is None:
                return None
            out.append(data[pos:scan_end])
            pos = scan_end
            continue
        if _keep_segment(marker, data[pos + 4 : end]):
            out.append(data[pos:end])
        else:
            removed = True
        pos = end
    return None


_JFIF_BASE = 16  # APP0 JFIF length without a thumbnail
_ICC_PREFIX = b"\xff\xe2"
_ICC_HEADER = 4 + len(b"ICC_PROFILE\x00") + 2  # marker, length, name, seq, count


def _anonymise_jpeg(segments: list[bytes]) -> bool:
    """Drop the JFIF thumbnail and blank the colour profile's descriptions, in
    the kept segments; True if anything was there."""
    changed = False
    icc = []
    for index, segment in enumerate(segments):
        if segment[:2] == b"\xff\xe0" and segment[4:9] == b"JFIF\x00":
            if len(segment) > 2 + _JFIF_BASE:
                head = bytearray(segment[: 2 + _JFIF_BASE])
                head[2:4] = struct.pack(">H", _JFIF_BASE)
                head[16:18] = b"\x00\x00"  # no thumbnail
                segments[index] = bytes(head)
                changed = True
        elif segment[:2] == _ICC_PREFIX and segment[4:16] == b"ICC_PROFILE\x00":
            icc.append(index)
    if not icc:
        return changed
    icc.sort(key=lambda index: segments[index][16])  # by sequence number
    profile, found = icc_profiles.neutralise(
        b"".join(segments[index][_ICC_HEADER:] for index in icc)
    )
    pos = 0
    for index in icc:
        segment = segments[index]
        size = len(segment) - _ICC_HEADER
        segments[index] = segment[:_ICC_HEADER] + profile[pos : pos + size]
        pos += size
    return changed or found


_PNG_PROFILE_NAME = b"ICC profile"
_MAX_PROFILE_BYTES = 4 * 1024 * 1024


def _anonymise_iccp(chunk: bytes) -> tuple[bytes, bool]:
    """The iCCP chunk with a neutral name and an anonymous profile. The name is
    free text (often the profile's description), so it is replaced as well."""
    payload = chunk[8:-4]
    name, _, rest = payload.partition(b"\x00")
    inflater = zlib.decompressobj()
    try:
        profile = inflater.decompress(rest[1:], _MAX_PROFILE_BYTES)
    except zlib.error:
        return chunk, False
    if inflater.unconsumed_tail:
        return chunk, False  # larger than any real profile: left to the check
    profile, changed = icc_profiles.neutralise(profile)
    changed = changed or name != _PNG_PROFILE_NAME
    body = b"iCCP" + _PNG_PROFILE_NAME + b"\x00\x00" + zlib.compress(profile)
    crc = struct.pack(">I", zlib.crc32(body))
    return struct.pack(">I", len(body) - 4) + body + crc, changed


def strip_png(data: bytes) -> tuple[bytes, bool] | None:
    """Drop text, EXIF, time and unknown chunks, and anything after IEND."""
    out = [PNG_SIGNATURE]
    removed = False
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            return None
        if kind == b"iCCP":
            chunk, anonymised = _anonymise_iccp(data[pos:end])
            out.append(chunk)
            removed = removed or anonymised
        elif kind in _PNG_KEEP:
            out.append(data[pos:end])
        else:
            removed = True
        pos = end
        if kind == b"IEND":
            removed = removed or bool(data[pos:].strip(b"\x00"))
            return b"".join(out), removed
    return None
