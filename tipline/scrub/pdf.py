"""PDF documents: re-written by qpdf without metadata, attachments or scripts.

Threats handled: the document information dictionary (author, title, software,
dates), XMP metadata on the catalog, pages, images and any other object, document
IDs that link copies of the same file, earlier revisions kept by incremental saves
(dropped because only the live object graph is written), embedded and associated
files, JavaScript and automatic actions (which can phone home when opened), the
names of people who commented, digital signatures (the signer's name and
certificate), page thumbnails and modification dates, the descriptions in colour
profiles (see ``icc``), and EXIF, XMP and comments inside embedded JPEG and JPEG
2000 pictures, also when other filters wrap them.
Encrypted files cannot be inspected, so they are refused.
"""

from __future__ import annotations

import binascii
import io
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from tipline.crypto import EncryptedSpool

from . import icc, jp2, pdfstreams, rawimage
from .result import FileRejected

INFO_CODES = {
    "/Author": "author",
    "/Title": "title",
    "/Creator": "software",
    "/Producer": "software",
    "/CreationDate": "datetime",
    "/ModDate": "datetime",
}
# Keys removed from every dictionary, with what their presence reveals.
KEY_CODES = {
    "/Metadata": "xmp",
    "/PieceInfo": "other_metadata",  # private data of the authoring application
    "/AA": "javascript",  # additional (automatic) actions
    "/JS": "javascript",
    "/AF": "embedded_files",  # associated files (PDF 2.0, PDF/A-3)
    "/EF": "embedded_files",
    "/XFA": "javascript",  # XML forms carry their own scripts
    "/Thumb": "thumbnail",  # page previews, perhaps of an earlier version
    "/LastModified": "datetime",  # on pages and private application data
}
ANNOTATION_DATE_CODES = {"/M": "datetime", "/CreationDate": "datetime"}
ANNOTATION_AUTHOR = "Author"
CATALOG_KEY_CODES = {
    "/OpenAction": "javascript",
    "/Collection": "embedded_files",
    "/SpiderInfo": "other_metadata",  # web capture: the addresses it came from
    "/Perms": "signature",  # certification and usage-rights signatures
}
NAMES_KEY_CODES = {"/JavaScript": "javascript", "/EmbeddedFiles": "embedded_files"}
# Actions that run code, open other files or send data, even when clicked.
RISKY_ACTIONS = {
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR",
    "/RichMediaExecute", "/Rendition",
}  # fmt: skip
MAX_ACTION_CHAIN = 32
# A picture wrapped in other filters is unwrapped up to this size; a larger one
# is left as it is and reported by the final check.
MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_PROFILE_BYTES = 4 * 1024 * 1024
PHOTO_STRIPPERS = {"/DCTDecode": rawimage.strip_jpeg, "/JPXDecode": jp2.strip}
# A digital signature names the signer (and carries their certificate, with
# their e-mail address); after rewriting it would be invalid anyway.
SIGNATURE_KEYS = (
    "/Name", "/M", "/Location", "/ContactInfo", "/Reason", "/Cert", "/Contents",
    "/Prop_Build", "/Prop_AuthTime", "/Prop_AuthType",
)  # fmt: skip
_PDF_ERRORS = (
    pikepdf.PdfError,
    pikepdf.PikepdfError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    RuntimeError,
    OSError,
    NotImplementedError,
)


def _open(source: BinaryIO) -> pikepdf.Pdf:
    """Open the PDF; a password or a parse failure is a rejection. qpdf reads
    ``source`` as it needs, so the input need not be in memory whole."""
    try:
        pdf = pikepdf.open(source, access_mode=pikepdf.AccessMode.stream)
    except pikepdf.PasswordError:
        raise FileRejected("encrypted") from None
    except _PDF_ERRORS:
        raise FileRejected("damaged") from None
    return pdf


def _direct_containers(values: Iterable[object]) -> list[object]:
    # Indirect objects are visited on their own; scalars hold nothing to clean.
    """The direct dictionaries and arrays among ``values``."""
    return [
        value
        for value in values
        if isinstance(value, Dictionary | Array) and not value.is_indirect
    ]


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[Dictionary | Stream]:
    """Every dictionary and stream: indirect objects and the direct ones inside."""
    pending: list[object] = [pdf.trailer, *pdf.objects]
    while pending:
        obj = pending.pop()
        if isinstance(obj, Dictionary | Stream):
            yield obj
            pending.extend(_direct_containers(obj.values()))
        elif isinstance(obj, Array):
            pending.extend(_direct_containers(obj))


def _risky(action: object) -> bool:
    """Whether an action, or any action chained after it with /Next, is risky."""
    for _ in range(MAX_ACTION_CHAIN):
        if not isinstance(action, Dictionary):
            return False
        if action.get("/S") in RISKY_ACTIONS:
            return True
        action = action.get("/Next")
    return True  # an absurdly long chain is itself suspicious


def _pop(obj: pikepdf.Object, codes: dict[str, str], found: set[str]) -> None:
    """Delete the listed keys from ``obj``, recording their codes."""
    for key, code in codes.items():
        if key in obj:
            del obj[key]
            found.add(code)


def _clean_catalog(pdf: pikepdf.Pdf, found: set[str]) -> None:
    """Remove open actions, portfolios, document scripts and attachments."""
    root = pdf.Root
    opener = root.get("/OpenAction")
    if opener is not None and not isinstance(opener, Dictionary):
        del root["/OpenAction"]  # only a page to show first: harmless, not reported
    _pop(root, CATALOG_KEY_CODES, found)
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        _pop(names, NAMES_KEY_CODES, found)


def _drop_attachments(annots: Array, found: set[str]) -> None:
    """Remove file attachment annotations from a page's list."""
    for index in reversed(range(len(annots))):
        annot = annots[index]
        if isinstance(annot, Dictionary) and annot.get("/Subtype") == "/FileAttachment":
            del annots[index]
            found.add("embedded_files")


def _strip_photo(stream: Stream, found: set[str]) -> None:
    """Remove EXIF, XMP and comments from a JPEG or JPEG 2000 picture without
    re-encoding it, also when other filters (Flate, ASCII85...) wrap it."""
    if stream.get("/Subtype") != "/Image":
        return
    payload = pdfstreams.image_payload(stream, MAX_IMAGE_BYTES)
    if payload is None:
        return  # not a photo codec, or too large to unwrap: the final check says
    codec, data, parms = payload
    if codec not in PHOTO_STRIPPERS:
        return
    stripped = PHOTO_STRIPPERS[codec](data)
    if stripped is not None and stripped[1]:
        if parms is not None and not isinstance(parms, Dictionary | Array):
            # What pikepdf's write() raises here: the file is refused as damaged.
            raise TypeError("decode_parms must be a dictionary or an array")
        # Written with the codec alone: the wrapping filters saved next to nothing.
        stream.write(stripped[0], filter=Name(codec), decode_parms=parms)
        found.add("embedded_image_metadata")


def _anonymise_profile(stream: Stream, found: set[str]) -> None:
    """Blank the descriptions, device and dates of an ICC colour profile (the
    stream of an ICCBased colour space, recognised by its /N and content)."""
    if "/N" not in stream or "/Subtype" in stream:
        return
    names, _parms = pdfstreams.filters_of(stream)
    data = pdfstreams.decode(stream.read_raw_bytes(), names, MAX_PROFILE_BYTES)
    if data is None or not icc.is_profile(data):
        return
    profile, changed = icc.neutralise(data)
    if changed:
        stream.write(zlib.compress(profile), filter=Name.FlateDecode)
        found.add("colour_profile_details")


def _clean_annotation(annot: Dictionary | Stream, found: set[str]) -> None:
    """Comments and markup name their author in /T and date themselves.

    Form fields also use /T, for the field's name, so they are left alone.
    """
    subtype = annot.get("/Subtype")
    if "/Rect" not in annot or subtype is None or subtype == "/Widget":
        return
    if "/FT" in annot:
        return
    if "/T" in annot and str(annot.get("/T")) != ANNOTATION_AUTHOR:
        annot["/T"] = pikepdf.String(ANNOTATION_AUTHOR)
        found.add("comment_authors")
    _pop(annot, ANNOTATION_DATE_CODES, found)


def _clean_signature(obj: Dictionary | Stream, found: set[str]) -> None:
    """Empty a signature dictionary of the signer's name, place and certificate."""
    if obj.get("/Type") != "/Sig" and "/ByteRange" not in obj:
        return
    for key in SIGNATURE_KEYS:
        if key in obj:
            del obj[key]
            found.add("signature")


def _clean_object(obj: Dictionary | Stream, found: set[str]) -> None:
    """Remove metadata, scripts, attachments and photo EXIF from one object."""
    _pop(obj, KEY_CODES, found)
    _clean_signature(obj, found)
    _clean_annotation(obj, found)
    if "/A" in obj and _risky(obj.get("/A")):
        del obj["/A"]
        found.add("javascript")
    annots = obj.get("/Annots")
    if isinstance(annots, Array):
        _drop_attachments(annots, found)
    if isinstance(obj, Stream):
        _strip_photo(obj, found)
        _anonymise_profile(obj, found)


def _clean_trailer(pdf: pikepdf.Pdf, found: set[str]) -> list[bytes]:
    """Remove the information dictionary and IDs; return the IDs to check for."""
    info = pdf.trailer.get("/Info")
    if isinstance(info, Dictionary):
        found.update(INFO_CODES.get(str(key), "other_metadata") for key in info)
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    ids = pdf.trailer.get("/ID")
    original = [bytes(part) for part in ids] if isinstance(ids, Array) else []
    if "/ID" in pdf.trailer:
        del pdf.trailer["/ID"]
        found.add("document_ids")
    return [part for part in original if part]


def _save(pdf: pikepdf.Pdf, in_memory: bool) -> EncryptedSpool | bytes:
    """Write the PDF with a fixed document ID into an encrypted spool.

    qpdf hands a large stream over in one write; a spool keeps that output out of
    memory (encrypted, under a key only the spool holds) so that a large PDF costs
    its input plus qpdf's own buffer, not a third copy. ``in_memory`` is for the
    sandbox worker, whose memory is limited on its own and which ends with the
    file: there the spool's encryption and three decryptions would be a third of
    the scrub, protecting nothing.
    """
    spool: EncryptedSpool | io.BytesIO
    spool = io.BytesIO() if in_memory else EncryptedSpool()
    # A fixed ID: the default would carry over or derive one from the original.
    # compress_streams=False: recompressing streams the file left uncompressed buys
    # nothing here and costs about a third more peak memory on large files.
    try:
        pdf.save(
            # pikepdf's stub names BinaryIO; qpdf needs only write(), seek() and
            # tell(), which the spool has.
            spool,  # type: ignore[arg-type]
            static_id=True,
            preserve_pdfa=False,
            fix_metadata_version=False,
            compress_streams=False,
        )
        if isinstance(spool, io.BytesIO):
            return spool.getvalue()
        spool.finish()
    except BaseException:
        spool.close()
        raise
    return spool


def _verify(pdf: pikepdf.Pdf, output: EncryptedSpool | bytes, ids: list[bytes]) -> None:
    """Fail loudly if an original ID or a metadata entry survived (a bug)."""
    if "/Info" in pdf.trailer or "/Metadata" in pdf.Root:
        raise RuntimeError("PDF metadata survived cleaning")
    # Searched as written, in lower and upper case hex, chunk by chunk with an
    # overlap so that an ID split between two chunks is still found.
    forms = [
        form
        for part in ids
        for form in (part, binascii.hexlify(part), binascii.hexlify(part).upper())
    ]
    if not forms:
        return
    overlap = max(len(form) for form in forms) - 1
    tail = b""
    chunks = [output] if isinstance(output, bytes) else output.chunks()
    for chunk in chunks:
        window = tail + chunk
        if any(form in window for form in forms):
            raise RuntimeError("PDF document ID survived cleaning")
        tail = window[-overlap:] if overlap else b""


def clean(
    source: BinaryIO, *, in_memory: bool = False
) -> tuple[EncryptedSpool | bytes, set[str]]:
    """The re-written PDF (in an encrypted spool, or in memory) and the removal
    codes for what it carried. ``source`` is read from any position while the
    PDF is rewritten."""
    pdf = _open(source)
    found: set[str] = set()
    with pdf:
        if pdf.is_encrypted:
            raise FileRejected("encrypted")
        try:
            if len(pdf.pages) == 0:
                raise FileRejected("damaged")
            ids = _clean_trailer(pdf, found)
            _clean_catalog(pdf, found)
            for obj in list(_dictionaries(pdf)):
                _clean_object(obj, found)
            output = _save(pdf, in_memory)
        except _PDF_ERRORS:
            raise FileRejected("damaged") from None
        try:
            _verify(pdf, output, ids)
        except BaseException:
            if not isinstance(output, bytes):
                output.close()
            raise
    return output, found
