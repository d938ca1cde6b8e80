"""Scrubbing uploaded evidence: allowlisted types, identifying metadata removed.

``clean_file`` decides the type from the bytes alone, refuses anything outside
the allowlist, and returns a cleaned copy with the codes of the metadata it found
and removed. Every cleaned copy then goes through a final check (``verify``) for
EXIF, XMP, IPTC and GPS left anywhere inside it; what that finds, or could not
check, is returned as ``remaining`` and the file is not called fully cleaned.
The plaintext never touches the disk: it is in memory, or in an EncryptedSpool
(ciphertext under a key held only in memory).
"""

from __future__ import annotations

import io
import shutil
from typing import BinaryIO

from tipline.crypto import EncryptedSpool

from . import bmff, detect, images, media, office, pdf, text, verify
from .result import (
    REJECTION_CODES,
    REMAINING_CODES,
    REMOVED_CODES,
    Cleaned,
    FileRejected,
    Remaining,
    ordered,
)

PDF_MAGIC = b"%PDF-"

__all__ = [
    "REJECTION_CODES",
    "REMAINING_CODES",
    "REMOVED_CODES",
    "Cleaned",
    "FileRejected",
    "Remaining",
    "clean_file",
    "clean_upload",
]


def _clean(
    data: bytes, fmt: detect.Format
) -> tuple[bytes | EncryptedSpool, detect.Format, set[str]]:
    """Dispatch to the cleaner for the detected kind."""
    if fmt.kind == "image":
        return images.clean(data, fmt)
    output: bytes | EncryptedSpool
    if fmt.kind == "pdf":
        output, found = pdf.clean(io.BytesIO(data))
    elif fmt.kind == "office":
        output, found = office.clean(data, fmt)
    elif fmt.kind == "audio":
        output, found = media.clean_audio(data, fmt)
    elif fmt.kind == "video":
        # Rewriting video containers safely needs tools we do not have in memory;
        # the caller tells the reporter that this file's metadata is still there.
        bmff.check_video(data)
        output, found = data, set()
    else:
        output, found = text.clean(data), set()
    return output, fmt, found


def clean_file(data: bytes) -> Cleaned:
    """Detect the type of ``data`` and remove its metadata; or raise FileRejected."""
    if not data:
        raise FileRejected("empty")
    fmt = detect.detect(data)
    detect.check_polyglot(data, fmt)
    output, out_fmt, found = _clean(data, fmt)
    return _cleaned(output, out_fmt, found)


def clean_upload(
    source: BinaryIO, *, pdf_in_memory: bool = False
) -> tuple[Cleaned, BinaryIO]:
    """``clean_file`` for an upload that can be read from any position (a spool);
    returns the cleaned file and a reader over the upload as received.

    A PDF is rewritten straight from ``source``, so its bytes are never in memory
    whole: with qpdf's own two copies of a large stream, that keeps a 50 MB PDF
    under three times its size. Any other file is read into memory first, as its
    parser needs, and the original is then read from that copy rather than
    decrypted from the spool a second time. ``pdf_in_memory`` keeps a
    rewritten PDF in memory rather than in a spool (``pdf.clean``).
    """
    if source.read(len(PDF_MAGIC)) != PDF_MAGIC:
        source.seek(0)
        data = _read_all(source)
        return clean_file(data), io.BytesIO(data)
    source.seek(0)
    if detect.ends_with_zip(source):
        raise FileRejected("polyglot")
    output, found = pdf.clean(source, in_memory=pdf_in_memory)
    source.seek(0)
    return _cleaned(output, detect.detect(PDF_MAGIC), found), source


def _read_all(source: BinaryIO) -> bytes:
    """All of ``source`` in one copy: ``read()`` would join its pieces into a
    second one, while a BytesIO grows in place and hands its buffer over."""
    buffer = io.BytesIO()
    shutil.copyfileobj(source, buffer)
    return buffer.getvalue()


def _cleaned(
    output: bytes | EncryptedSpool, out_fmt: detect.Format, found: set[str]
) -> Cleaned:
    remaining = verify.check(output, out_fmt.kind)
    return Cleaned(
        data=output,
        kind=out_fmt.kind,
        content_type=out_fmt.content_type,
        extension=out_fmt.extension,
        removed=ordered(found),
        fully_cleaned=not remaining,
        remaining=remaining,
    )
