"""Deciding a file's type from its content alone, against an allowlist.

Threats handled: files disguised by name or declared type (there is no name input
at all), types we cannot clean (executables, HTML/SVG, macro documents, archives),
and polyglots, where a second file (a zip, a PDF) hides inside an allowed one.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import BinaryIO

from . import text, xmlsafe, zipsafe
from .result import FileRejected


@dataclass(frozen=True)
class Format:
    """An allowed format: short name, kind, and how the cleaned file is labelled."""

    name: str
    kind: str
    content_type: str
    extension: str


_OOXML = "application/vnd.openxmlformats-officedocument"
FORMATS = {
    fmt.name: fmt
    for fmt in (
        Format("jpeg", "image", "image/jpeg", ".jpg"),
        Format("png", "image", "image/png", ".png"),
        Format("webp", "image", "image/webp", ".webp"),
        Format("gif", "image", "image/gif", ".gif"),
        Format("heic", "image", "image/heic", ".heic"),
        Format("pdf", "pdf", "application/pdf", ".pdf"),
        Format("docx", "office", f"{_OOXML}.wordprocessingml.document", ".docx"),
        Format("xlsx", "office", f"{_OOXML}.spreadsheetml.sheet", ".xlsx"),
        Format("pptx", "office", f"{_OOXML}.presentationml.presentation", ".pptx"),
        Format("odt", "office", "application/vnd.oasis.opendocument.text", ".odt"),
        Format("mp3", "audio", "audio/mpeg", ".mp3"),
        Format("m4a", "audio", "audio/mp4", ".m4a"),
        Format("wav", "audio", "audio/wav", ".wav"),
        Format("ogg", "audio", "audio/ogg", ".ogg"),
        Format("mp4", "video", "video/mp4", ".mp4"),
        Format("mov", "video", "video/quicktime", ".mov"),
        Format("text", "text", "text/plain", ".txt"),
    )
}

MAGIC_PREFIXES = {
    b"\xff\xd8\xff": "jpeg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
    b"%PDF-": "pdf",
    b"OggS": "ogg",
}
RIFF_FORMS = {b"WEBP": "webp", b"WAVE": "wav"}
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}
AUDIO_BRANDS = {b"M4A ", b"M4B "}
VIDEO_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
    b"avc1", b"qt  ", b"M4V ", b"M4VH", b"M4VP",
}  # fmt: skip
# The main part of each allowed Office package; macro-enabled variants differ.
OOXML_MAIN = {
    f"{_OOXML}.wordprocessingml.document.main+xml": ("docx", "/word/"),
    f"{_OOXML}.spreadsheetml.sheet.main+xml": ("xlsx", "/xl/"),
    f"{_OOXML}.presentationml.presentation.main+xml": ("pptx", "/ppt/"),
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
EOCD_SIZE = 22
POLYGLOT_KINDS = {"image", "pdf", "audio", "video"}


def detect(data: bytes) -> Format:
    """The allowed format of ``data``, or FileRejected("unsupported_type")."""
    name = _magic(data)
    if name is None:
        raise FileRejected("unsupported_type")
    return FORMATS[name]


def _magic(data: bytes) -> str | None:
    """The format name from magic bytes, else text, else None."""
    for prefix, known in MAGIC_PREFIXES.items():
        if data.startswith(prefix):
            return known
    if data.startswith(b"RIFF") and data[8:12] in RIFF_FORMS:
        return RIFF_FORMS[data[8:12]]
    name: str | None = None
    if data[4:8] == b"ftyp":
        name = _bmff(data)
    elif data.startswith(b"PK\x03\x04"):
        name = _package(data)
    elif _is_mp3(data):
        name = "mp3"
    # Whatever matched no allowed format is still accepted if it is plain text.
    return name or ("text" if text.is_text(data) else None)


def _bmff(data: bytes) -> str | None:
    """Tell HEIC photos, M4A audio and MP4/MOV video apart by their brands."""
    (box_size,) = struct.unpack(">I", data[:4])
    major = data[8:12]
    compatible = data[16 : min(box_size, len(data), 4096)]
    brands = {compatible[i : i + 4] for i in range(0, len(compatible) - 3, 4)}
    if major in HEIC_BRANDS:
        return None if (brands | {major}) & AVIF_BRANDS else "heic"
    if major in AUDIO_BRANDS:
        return "m4a"
    if major in VIDEO_BRANDS:
        return "mov" if major == b"qt  " else "mp4"
    return None


def _is_mpeg_frame(header: bytes) -> bool:
    """A valid MPEG audio frame header: sync, and no reserved or free fields."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate, rate = header[2] >> 4, (header[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _is_mp3(data: bytes) -> bool:
    """MPEG audio, possibly after an ID3v2 tag (which must be followed by audio)."""
    pos = 0
    if data.startswith(b"ID3") and len(data) >= 10:
        size = 0
        for byte in data[6:10]:
            size = (size << 7) | (byte & 0x7F)
        pos = 10 + size + (10 if data[5] & 0x10 else 0)
        while pos < len(data) and data[pos] == 0:
            pos += 1  # padding some writers leave after the tag
    return _is_mpeg_frame(data[pos : pos + 4])


def _package(data: bytes) -> str | None:
    """ODT or an Office package, judged by its declared parts; other zips refused."""
    archive = zipsafe.open_zip(data, zipsafe.Budget.for_file(len(data)))
    infos = archive.infolist()
    if any(info.filename.lower().endswith("vbaproject.bin") for info in infos):
        return None  # macros
    if infos and infos[0].filename == "mimetype":
        mimetype = zipsafe.read_one(archive, "mimetype", 256)
        return "odt" if mimetype == ODT_MIMETYPE else None
    content_types = zipsafe.read_one(archive, "[Content_Types].xml", 8 * 1024 * 1024)
    if content_types is None:
        return None
    names = {info.filename for info in infos}
    found = set()
    for override in xmlsafe.parse(content_types).iter(f"{CONTENT_TYPES_NS}Override"):
        main = OOXML_MAIN.get(override.get("ContentType", ""))
        part = override.get("PartName", "")
        if main and part.startswith(main[1]) and part.lstrip("/") in names:
            found.add(main[0])
    return found.pop() if len(found) == 1 else None


def ends_with_zip(source: BinaryIO) -> bool:
    """True if the file ``source`` reads ends with a ZIP archive that zip tools
    would open.

    Zip readers find an archive by its end-of-central-directory record in the last
    64 KiB and follow it back to the central directory. Checking that structure,
    rather than searching for the 4-byte markers anywhere, matters: in several
    megabytes of compressed audio or video those bytes occur by chance, and a search
    would refuse about one genuine 10 MB file in two hundred. Only the tail and
    four bytes at the directory's start are read, so a large file need not be in
    memory.
    """
    size = source.seek(0, io.SEEK_END)
    tail_start = max(1, size - EOCD_SIZE - 0xFFFF)
    source.seek(tail_start)
    tail = source.read()
    found = tail.rfind(b"PK\x05\x06")
    if found < 0 or len(tail) < found + EOCD_SIZE:
        return False
    position = tail_start + found
    cd_size, _cd_offset, comment_length = struct.unpack_from("<IIH", tail, found + 12)
    if position + EOCD_SIZE + comment_length != size:
        return False
    if cd_size == 0xFFFFFFFF:  # ZIP64: the locator sits right before the record
        return _bytes_at(source, position - 20, 4) == b"PK\x06\x07"
    start = position - cd_size
    return start >= 1 and _bytes_at(source, start, 4) in (b"PK\x01\x02", b"PK\x05\x06")


def _bytes_at(source: BinaryIO, position: int, length: int) -> bytes:
    if position < 0:
        return b""
    source.seek(position)
    return source.read(length)


def check_polyglot(data: bytes, fmt: Format) -> None:
    """Reject media and PDFs that also carry a zip, and JPEG/PNG carrying a PDF."""
    if fmt.kind not in POLYGLOT_KINDS:
        return
    if ends_with_zip(io.BytesIO(data)):
        raise FileRejected("polyglot")
    if fmt.name in ("jpeg", "png") and b"%PDF-" in data:
        raise FileRejected("polyglot")
