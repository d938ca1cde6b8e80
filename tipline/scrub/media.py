"""Audio: tags removed with mutagen (WAV by hand), then confirmed gone.

Threats handled: ID3v1/ID3v2 and APE tags in MP3 (artist, title, comments,
software, cover art that may be a personal photo), iTunes tags and other
metadata boxes in M4A (see ``bmff``), Vorbis/Opus comments in Ogg (the vendor
string stays: the format requires it and it only names the encoder library), and
WAV chunks (see ``wav``). Files that mutagen cannot parse again after cleaning are
refused rather than stored with tags we could not confirm removed.

Video (MP4/MOV) is not handled here: it is stored unchanged and flagged.
"""

from __future__ import annotations

import io
import struct
from typing import Any

import mutagen
from mutagen import apev2, id3
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from . import bmff, wav
from .detect import Format
from .result import FileRejected

OGG_TYPES = [OggVorbis, OggOpus, OggFLAC, OggSpeex]
# Comment headers: more than one means chained streams, which mutagen cleans
# only the first of.
OGG_COMMENT_HEADERS = (b"\x03vorbis", b"OpusTags")
OGG_VIDEO = b"\x80theora"
COVER_KEYS = {"APIC", "covr", "metadata_block_picture", "Cover Art (Front)"}
MAX_ID3_PASSES = 4  # files sometimes carry several ID3v2 tags one after another
_MUTAGEN_ERRORS = (
    mutagen.MutagenError,
    OSError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
    TypeError,
    OverflowError,
    ZeroDivisionError,
)


def _tag_codes(tags: Any) -> set[str]:
    """``tags`` if there are any, plus ``cover_art`` for embedded pictures."""
    keys = list(tags.keys()) if tags else []
    if not keys:
        return set()
    found = {"tags"}
    if any(str(key).split(":")[0] in COVER_KEYS for key in keys):
        found.add("cover_art")
    return found


def _clean_mp3(buffer: io.BytesIO) -> set[str]:
    """Remove every ID3v2 tag (some files stack several), ID3v1 and APE."""
    found: set[str] = set()
    for _ in range(MAX_ID3_PASSES):
        buffer.seek(0)
        audio = MP3(buffer)
        if audio.tags is None and not _has_id3v1(buffer):
            break
        found |= _tag_codes(audio.tags) or {"tags"}
        id3.delete(buffer)
    try:
        ape = apev2.APEv2(buffer)
    except apev2.APENoHeaderError:
        return found
    found |= _tag_codes(ape) or {"tags"}
    apev2.delete(buffer)
    return found


def _has_id3v1(buffer: io.BytesIO) -> bool:
    """Whether the last 128 bytes are an ID3v1 tag."""
    data = buffer.getvalue()
    return len(data) >= 128 and data[-128:-125] == b"TAG"


def _clean_m4a(buffer: io.BytesIO) -> set[str]:
    """Remove the iTunes tags, then blank other metadata boxes."""
    audio = MP4(buffer)
    found = _tag_codes(audio.tags)
    if audio.tags is not None:
        audio.delete(buffer)
    output, more = bmff.neutralise(buffer.getvalue())
    buffer.seek(0)
    buffer.truncate()
    buffer.write(output)
    return found | more


def _clean_ogg(buffer: io.BytesIO) -> set[str]:
    """Remove Vorbis/Opus comments; refuse Ogg video and chained streams."""
    data = buffer.getvalue()
    if OGG_VIDEO in data or sum(data.count(h) for h in OGG_COMMENT_HEADERS) > 1:
        raise FileRejected("unsupported_type")
    audio = mutagen.File(buffer, options=OGG_TYPES)
    if audio is None:
        raise FileRejected("unsupported_type")
    found = _tag_codes(audio.tags)
    if found:
        audio.delete(buffer)
    return found


def _confirm(output: bytes, fmt: Format) -> None:
    """Parse the cleaned file again: it must be valid and carry no tags."""
    buffer = io.BytesIO(output)
    if fmt.name == "wav":
        clean = wav.only_kept_chunks(output) and WAVE(buffer).tags is None
    elif fmt.name == "mp3":
        clean = MP3(buffer).tags is None and not _has_id3v1(buffer)
        clean = clean and b"APETAGEX" not in output
    elif fmt.name == "m4a":
        clean = not MP4(buffer).tags
    else:
        audio = mutagen.File(buffer, options=OGG_TYPES)
        clean = audio is not None and not audio.tags
    if not clean:
        raise FileRejected("damaged")


def clean_audio(data: bytes, fmt: Format) -> tuple[bytes, set[str]]:
    """The audio file without tags, and the removal codes for what it carried."""
    try:
        if fmt.name == "wav":
            output, found = wav.clean(data)
        else:
            buffer = io.BytesIO(data)
            cleaner = {"mp3": _clean_mp3, "m4a": _clean_m4a, "ogg": _clean_ogg}
            found = cleaner[fmt.name](buffer)
            output = buffer.getvalue()
        _confirm(output, fmt)
    except _MUTAGEN_ERRORS:
        raise FileRejected("damaged") from None
    return output, found
