"""Colour profiles (ICC) kept on pictures inside documents, made anonymous.

Dropping a picture's profile would change how its colours look, so pictures
that are not re-encoded keep it. But a profile made by calibrating a screen or
a scanner carries its own description ("Jane's MacBook, 3 March"), a copyright
line, the device's maker and model, the software that made it and the date. All
of these are overwritten in place, with spaces or zeros of the same length, so
every offset in the profile (and in the file holding it) stays the same and the
colour data is untouched.
"""

from __future__ import annotations

import struct

MIN_SIZE = 132
SIGNATURE = b"acsp"
# Header fields: creation date, device maker and model, creator, profile ID.
HEADER_FIELDS = ((24, 36), (48, 56), (80, 100))
TEXT_TAGS = {b"desc", b"dscm", b"cprt", b"dmnd", b"dmdd", b"vued", b"targ", b"pseq"}
MAX_TAGS = 200


def is_profile(data: bytes | bytearray) -> bool:
    """Whether ``data`` looks like an ICC profile."""
    return len(data) >= MIN_SIZE and data[36:40] == SIGNATURE


def _blank_text(profile: bytearray, start: int, end: int) -> bool:
    """Overwrite the characters of a text-typed tag; True if any were there."""
    kind = bytes(profile[start : start + 4])
    if kind == b"mluc":
        return _blank_mluc(profile, start, end)
    # 'desc' (v2: count, ASCII, then Unicode and ScriptCode), 'text': ASCII.
    body = start + (12 if kind == b"desc" else 8)
    return _blank_range(profile, body, end)


def _blank_mluc(profile: bytearray, start: int, end: int) -> bool:
    """Overwrite every string of a multi-localised Unicode tag."""
    if start + 16 > end:
        return False
    count, size = struct.unpack_from(">II", profile, start + 8)
    changed = False
    for index in range(min(count, MAX_TAGS)):
        record = start + 16 + index * size
        if size < 12 or record + 12 > end:
            break
        length, offset = struct.unpack_from(">II", profile, record + 4)
        text_start = start + offset
        text_end = min(text_start + length, end)
        for pos in range(text_start, text_end - 1, 2):
            if bytes(profile[pos : pos + 2]) not in (b"\x00 ", b"\x00\x00"):
                profile[pos : pos + 2] = b"\x00 "
                changed = True
    return changed


def _blank_range(profile: bytearray, start: int, end: int) -> bool:
    """Spaces for every printable byte in a range (NULs and counts stay)."""
    changed = False
    for pos in range(start, end):
        if 0x21 <= profile[pos] <= 0x7E:
            profile[pos] = 0x20
            changed = True
    return changed


def neutralise(data: bytes) -> tuple[bytes, bool]:
    """The profile with its descriptions, device and dates blanked, and whether
    anything identifying was there. Data that is not a profile is returned as is."""
    if not is_profile(data):
        return data, False
    profile = bytearray(data)
    changed = False
    for start, end in HEADER_FIELDS:
        if any(profile[start:end]):
            profile[start:end] = bytes(end - start)
            changed = True
    (count,) = struct.unpack_from(">I", profile, 128)
    for index in range(min(count, MAX_TAGS)):
        entry = 132 + 12 * index
        if entry + 12 > len(profile):
            break
        signature, offset, size = struct.unpack_from(">4sII", profile, entry)
        end = min(offset + size, len(profile))
        if signature in TEXT_TAGS and offset + 8 <= end:
            changed = _blank_text(profile, offset, end) or changed
    return bytes(profile), changed
