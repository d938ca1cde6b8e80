"""Scrubbing uploaded evidence: allowlisted types, identifying metadata removed.

``clean_file`` decides the type from the bytes alone, refuses anything outside
the allowlist, and returns a cleaned copy with the codes of the metadata it found
and removed. Everything happens in memory: the plaintext never touches the disk.
"""

from __future__ import annotations

from tipline.crypto import EncryptedSpool

from . import bmff, detect, images, media, office, pdf, text
from .result import REJECTION_CODES, REMOVED_CODES, Cleaned, FileRejected, ordered

__all__ = [
    "REJECTION_CODES",
    "REMOVED_CODES",
    "Cleaned",
    "FileRejected",
    "clean_file",
]


def _clean(
    data: bytes, fmt: detect.Format
) -> tuple[bytes | EncryptedSpool, detect.Format, set[str]]:
    """Dispatch to the cleaner for the detected kind."""
    if fmt.kind == "image":
        return images.clean(data, fmt)
    output: bytes | EncryptedSpool
    if fmt.kind == "pdf":
        output, found = pdf.clean(data)
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
    return Cleaned(
        data=output,
        kind=out_fmt.kind,
        content_type=out_fmt.content_type,
        extension=out_fmt.extension,
        removed=ordered(found),
        fully_cleaned=out_fmt.kind != "video",
    )
