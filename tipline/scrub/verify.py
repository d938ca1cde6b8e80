"""The final check of every cleaned file: is any EXIF, XMP, IPTC or GPS left?

Threats handled: metadata a cleaner missed (a format, a part or a nesting it does
not know), looked for in the bytes that will be stored: anywhere in the file, in
every zip member (pictures in documents, nested documents), in every PDF stream
after its filters are undone, and in pictures nested in those. What it finds is
named, so the reporter can be told that it is still there.

And the check's own denial of service: every decoded or inflated byte counts
against a budget for the part and one for the whole file, containers nested
deeper than ``MAX_DEPTH`` are not entered, and a signature is examined at most
``MAX_HITS`` times per file. Whatever could not be checked within those bounds is
reported as ``unchecked``, never passed as clean.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

import pikepdf
from lxml import etree

from tipline.crypto import EncryptedSpool

from . import exifcodes, jp2, pdfstreams, tiff, xmlsafe, zipsafe
from .result import FileRejected, Remaining, ordered_remaining

MAX_DECODED_BYTES = 256 * 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 8  # deeper than the cleaners go (office.MAX_NESTING)
# Signature matches examined per file: each TIFF-like match is parsed, so a file
# crafted with thousands of them must not buy unbounded work.
MAX_HITS = 256
EXIF_MARKER = b"Exif\x00\x00"
XMP_MARKERS = (b"<x:xmpmeta", b"http://ns.adobe.com/xap/1.0/", b"<?xpacket begin")
XMP_GPS = (b"GPSLatitude", b"GPSLongitude")
IPTC_MARKERS = (b"8BIM\x04\x04", b"Photoshop 3.0\x00", b"\x1c\x02\x00\x00\x02")
GEOJP2_UUID = bytes.fromhex("b14bf8bd083d4b43a5ae8cd7d5a6ce03")
LOCATION_MARKERS = (b"\xa9xyz", b"ISO6709", GEOJP2_UUID)
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_INFO_CODES = {
    "/Author": "author",
    "/Title": "title",
    "/Creator": "software",
    "/Producer": "software",
    "/CreationDate": "datetime",
    "/ModDate": "datetime",
}
# Where documents name people (OOXML core properties, ODF meta.xml, also in
# embedded objects), and the fields that do.
PEOPLE_PARTS = {
    "core.xml": {"creator", "lastModifiedBy"},
    "meta.xml": {"initial-creator", "creator", "printed-by"},
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt"}
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error)
# zipfile raises NotImplementedError for compression methods it cannot read, and
# RuntimeError for encrypted members: both mean "not checked", never a crash.
_READ_ERRORS = (*_ZIP_ERRORS, zlib.error, RuntimeError, NotImplementedError)
_PDF_ERRORS = (pikepdf.PdfError, ValueError, TypeError, KeyError, RuntimeError)


@dataclass
class _Check:
    """What has been found so far, and how many decoded bytes may still be read."""

    budget: int = MAX_DECODED_BYTES
    hits: int = MAX_HITS
    found: set[Remaining] = field(default_factory=set)

    def add(self, code: str, embedded: bool) -> None:
        self.found.add(Remaining(code, embedded))

    def part_limit(self) -> int:
        return min(MAX_PART_BYTES, self.budget)

    def spend(self, size: int) -> None:
        self.budget -= size


def check(data: bytes | EncryptedSpool, kind: str) -> tuple[Remaining, ...]:
    """What identifying metadata remains in a cleaned file of ``kind``, or could
    not be checked. An empty result means the check found nothing."""
    state = _Check()
    if kind == "video":
        state.add("video_metadata", False)  # stored as received: see scrub.__init__
    if kind == "text":
        return ()  # strict UTF-8 without markup: no container to hide metadata in
    if isinstance(data, EncryptedSpool):
        with data.reader() as source:
            _pdf(source, state, embedded=False, depth=0)
    elif kind == "pdf":
        # A rewritten PDF held in memory is checked exactly as a spooled one.
        _pdf(io.BytesIO(data), state, embedded=False, depth=0)
    else:
        _bytes(data, state, embedded=False, depth=0)
    return ordered_remaining(state.found)


def _bytes(
    data: bytes | bytearray, state: _Check, *, embedded: bool, depth: int
) -> None:
    """Check one file or part: its container first, then the raw signatures."""
    if depth > MAX_DEPTH:
        state.add("unchecked", embedded)
        return
    if data.startswith(b"PK\x03\x04"):
        _zip(data, state, embedded=embedded, depth=depth)
    elif data.startswith(b"%PDF-"):
        _pdf(io.BytesIO(data), state, embedded=embedded, depth=depth)
    elif data.startswith(CFB_MAGIC):
        state.add("embedded_object", True)  # an OLE object: its own properties
    _signatures(data, state, embedded)
    _structures(data, state, embedded)


def _positions(
    data: bytes | bytearray, marker: bytes, state: _Check, embedded: bool
) -> list[int]:
    """Where ``marker`` occurs, within what is left of the file's MAX_HITS."""
    found = []
    pos = data.find(marker)
    while pos >= 0:
        if state.hits <= 0:
            state.add("unchecked", embedded)
            break
        state.hits -= 1
        found.append(pos)
        pos = data.find(marker, pos + 1)
    return found


def _signatures(data: bytes | bytearray, state: _Check, embedded: bool) -> None:
    """EXIF and TIFF structures, XMP packets, IPTC records, location boxes."""
    for pos in _positions(data, EXIF_MARKER, state, embedded):
        codes = tiff.codes(data, pos + len(EXIF_MARKER))
        for code in codes or {"other_exif"}:
            state.add(code, embedded)
    for magic in (*tiff.MAGIC, *tiff.JPEG_XR_MAGIC):
        for pos in _positions(data, magic, state, embedded):
            for code in tiff.codes(data, pos) or ():
                state.add(code, embedded)
    for marker in XMP_MARKERS:
        pos = data.find(marker)
        if pos >= 0:
            state.add("xmp", embedded)
            if any(name in data for name in XMP_GPS):
                state.add("gps", embedded)
    if any(marker in data for marker in IPTC_MARKERS):
        state.add("iptc", embedded)
    if any(marker in data for marker in LOCATION_MARKERS):
        state.add("gps", embedded)


def _structures(data: bytes | bytearray, state: _Check, embedded: bool) -> None:
    """Metadata that has no signature of its own: JPEG and PNG comments, JPEG
    2000 XML boxes."""
    if data.startswith(b"\xff\xd8"):
        for code in _jpeg_codes(data):
            state.add(code, embedded)
    elif data.startswith(PNG_SIGNATURE):
        for code in _png_codes(data):
            state.add(code, embedded)
    elif data.startswith(jp2.JP2_SIGNATURE):
        kinds = {kind for kind, *_ in jp2.boxes(data) or ()}
        if kinds & {b"xml ", b"uuid", b"jp2i", b"uinf"}:
            state.add("xmp", embedded)


def _jpeg_codes(data: bytes | bytearray) -> set[str]:
    """Comment and IPTC segments before the first scan."""
    found: set[str] = set()
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA or 0xD0 <= marker <= 0xD9:
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker == 0xFE:
            found.add("comment")
        elif marker == 0xED:
            found.add("iptc")
        pos += 2 + length
    return found


def _png_codes(data: bytes | bytearray) -> set[str]:
    """Text and time chunks, by their keyword."""
    found: set[str] = set()
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind in PNG_TEXT:
            keyword = data[pos + 8 : pos + 8 + min(length, 80)].split(b"\x00")[0]
            name = keyword.decode("latin-1")
            found.add(exifcodes.PNG_TEXT_CODES.get(name, "comment"))
        elif kind == b"tIME":
            found.add("datetime")
        elif kind == b"IEND":
            break
        pos += 12 + length
    return found


def _zip(data: bytes | bytearray, state: _Check, *, embedded: bool, depth: int) -> None:
    """Every member, inflated within the budgets, checked in turn."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _ZIP_ERRORS:
        state.add("unchecked", embedded)
        return
    if len(infos) > zipsafe.MAX_MEMBERS:
        state.add("unchecked", embedded)
        return
    for info in infos:
        content = _member(archive, info, state)
        if content is None:
            state.add("unchecked", embedded)
            continue
        # Parts of this package are the document itself; anything else in it
        # (pictures, nested documents) is embedded.
        inner = embedded or not xmlsafe.is_xml_part(info.filename)
        _people(info.filename, content, state, embedded)
        _bytes(content, state, embedded=inner, depth=depth + 1)
        del content  # before the next member is read: one at a time in memory


def _member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, state: _Check
) -> bytearray | None:
    """A member's content, or None if it would pass the budget or lies."""
    if info.file_size > state.part_limit():
        return None
    # Read into a buffer of the declared size: the member is held once, and
    # zipfile stops at that size whatever the compressed data would give.
    buffer = bytearray(info.file_size)
    view = memoryview(buffer)
    filled = 0
    try:
        with archive.open(info) as stream:
            while filled < len(buffer):
                chunk = stream.read(min(zipsafe.CHUNK_BYTES, len(buffer) - filled))
                if not chunk:
                    break
                view[filled : filled + len(chunk)] = chunk
                filled += len(chunk)
    except _READ_ERRORS:
        return None
    finally:
        view.release()
    state.spend(filled)
    del buffer[filled:]
    return buffer


def _people(
    name: str, content: bytes | bytearray, state: _Check, embedded: bool
) -> None:
    """Names left in the properties of a document (also nested ones)."""
    fields = PEOPLE_PARTS.get(name.rsplit("/", 1)[-1])
    if fields is None:
        return
    try:
        root = xmlsafe.parse(bytes(content))  # a small part: the copy is cheap
    except FileRejected:
        return
    for element in root.iter(etree.Element):
        if xmlsafe.local(element.tag) in fields and (element.text or "").strip():
            state.add("author", embedded)


def _pdf(source: BinaryIO, state: _Check, *, embedded: bool, depth: int) -> None:
    """A PDF, or ``unchecked`` if it cannot be read through."""
    try:
        pdf = pikepdf.open(source)
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError, OSError):
        state.add("unchecked", embedded)
        return
    with pdf:
        try:
            _pdf_objects(pdf, state, embedded=embedded, depth=depth)
        except _PDF_ERRORS:
            state.add("unchecked", embedded)


def _pdf_objects(
    pdf: pikepdf.Pdf, state: _Check, *, embedded: bool, depth: int
) -> None:
    info = pdf.trailer.get("/Info")
    if isinstance(info, pikepdf.Dictionary):
        for key in info:
            state.add(PDF_INFO_CODES.get(str(key), "author"), embedded)
    if "/Metadata" in pdf.Root:
        state.add("xmp", embedded)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            _stream(obj, state, embedded=embedded, depth=depth)


def _stream(
    stream: pikepdf.Stream, state: _Check, *, embedded: bool, depth: int
) -> None:
    """One stream's data with its general filters undone, within the budget."""
    names, _parms = pdfstreams.filters_of(stream)
    image = bool(names) and names[-1] in pdfstreams.IMAGE_CODECS
    general = names[:-1] if image else names
    limit = state.part_limit()
    try:
        raw = stream.read_raw_bytes()
    except pikepdf.PdfError:
        state.add("unchecked", embedded)
        return
    data = pdfstreams.decode(raw, general, limit) if general else raw
    if data is None:
        state.add("unchecked", embedded)
        return
    state.spend(len(data) if general else 0)
    inner = embedded or image or stream.get("/Subtype") == "/Image"
    inner = inner or stream.get("/Type") in ("/EmbeddedFile", "/Metadata")
    _bytes(data, state, embedded=inner, depth=depth + 1)
