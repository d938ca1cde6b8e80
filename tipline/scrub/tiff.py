"""Reading TIFF structures (EXIF is one) to name the metadata they carry.

A TIFF header is only four bytes (``II*\\0`` or ``MM\\0*``), which occur by
chance in compressed data. A structure counts only if its first directory
parses with sensible entries, so a chance match in a photo's pixel data is not
reported as metadata. Reading is bounded: few directories, few entries.
"""

from __future__ import annotations

import struct

from . import exifcodes

MAGIC = (b"II*\x00", b"MM\x00*")
JPEG_XR_MAGIC = (b"II\xbc\x01", b"II\xbc\x00")
MAX_ENTRIES = 256  # real EXIF directories hold a few dozen
MAX_DIRECTORIES = 6  # IFD0, its thumbnail IFD1, Exif, GPS, Interop, one more
# Tags that only describe how the pixels are laid out, compressed and coloured.
LAYOUT_TAGS = {
    254, 255, 256, 257, 258, 259, 262, 263, 266, 273, 274, 277, 278, 279, 280,
    281, 282, 283, 284, 290, 291, 292, 293, 296, 297, 317, 318, 319, 320, 321,
    322, 323, 324, 325, 330, 332, 338, 339, 340, 341, 347, 512, 513, 514, 515,
    517, 518, 519, 520, 521, 529, 530, 531, 532, 0x8773,
    # JPEG XR (HD Photo, Office's .wdp) image layout tags
    0xBC01, 0xBC02, 0xBC03, 0xBC04, 0xBC80, 0xBC81, 0xBC82, 0xBCC0, 0xBCC1,
    0xBCC2, 0xBCC3, 0xBCC4, 0xBCC5,
}  # fmt: skip
TEXT_TAG_CODES = {
    0x010D: "title",  # DocumentName
    0x010E: "comment",  # ImageDescription
    0x013C: "software",  # HostComputer
    0x02BC: "xmp",
    0x83BB: "iptc",
    0x8649: "iptc",  # Photoshop image resources
}
SUB_DIRECTORIES = {exifcodes.EXIF_IFD, exifcodes.GPS_IFD, exifcodes.INTEROP_IFD}
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4,
               12: 8, 13: 4}  # fmt: skip


def _directory(
    data: bytes | bytearray, base: int, offset: int, order: str
) -> tuple[list[tuple[int, int]], int] | None:
    """The (tag, first value) pairs of the directory at ``offset`` and the next
    directory's offset; None if it does not parse as a directory."""
    start = base + offset
    if offset < 8 or start + 2 > len(data):
        return None
    (count,) = struct.unpack_from(order + "H", data, start)
    if not 0 < count <= MAX_ENTRIES or start + 2 + 12 * count + 4 > len(data):
        return None
    table = bytes(data[start + 2 : start + 2 + 12 * count])
    entries = []
    for tag, kind, _n, value in struct.iter_unpack(order + "HHII", table):
        if kind not in _TYPE_SIZES:
            return None
        entries.append((tag, value))
    (following,) = struct.unpack_from(order + "I", data, start + 2 + 12 * count)
    return entries, following


def _code(tag: int) -> str | None:
    if tag in LAYOUT_TAGS or tag in exifcodes.STRUCTURAL_TAGS:
        return None
    if tag in TEXT_TAG_CODES:
        return TEXT_TAG_CODES[tag]
    code = exifcodes.EXIF_TAG_CODES.get(tag, "other_exif")
    return None if code == "colour_profile" else code


def codes(data: bytes | bytearray, start: int = 0) -> set[str] | None:
    """The metadata codes of the TIFF structure at ``start``: None if there is no
    valid structure there, an empty set for a TIFF holding only its pixels."""
    header = data[start : start + 4]
    if header not in MAGIC and header not in JPEG_XR_MAGIC:
        return None
    if start + 8 > len(data):
        return None
    order = "<" if header.startswith(b"II") else ">"
    (first,) = struct.unpack_from(order + "I", data, start + 4)
    pending: list[int] = [first]
    seen: set[int] = set()
    found: set[str] = set()
    gps_directories = set()
    valid = False
    while pending and len(seen) < MAX_DIRECTORIES:
        offset = pending.pop()
        if offset in seen:
            continue
        seen.add(offset)
        directory = _directory(data, start, offset, order)
        if directory is None:
            continue
        valid = True
        entries, following = directory
        for tag, value in entries:
            if tag == exifcodes.GPS_IFD:
                found.add("gps")
                gps_directories.add(value)
            if tag in SUB_DIRECTORIES:
                pending.append(value)
            elif offset not in gps_directories and (code := _code(tag)):
                found.add(code)
        if following:
            pending.append(following)
    return found if valid else None
