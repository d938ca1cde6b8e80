"""Plain text: accepted only as strict UTF-8 without control characters.

Threats handled: binary files passed off as text, legacy encodings that could be
misread, and markup (HTML, SVG) that a browser would render and run scripts from.
Text has no metadata container, so it is returned unchanged.
"""

from __future__ import annotations

import re

from .result import FileRejected

BOM = b"\xef\xbb\xbf"
# C0 controls except tab, newline, form feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# An XML declaration, comment or processing instruction may precede the markup.
_PROLOGUE = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_MARKUP_STARTS = ("<svg", "<html", "<!doctype html", "<!doctype svg", "<script")


def _decode(data: bytes) -> str | None:
    """The text without a BOM, or None if it is not strict UTF-8."""
    try:
        return data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError:
        return None


def is_text(data: bytes) -> bool:
    """Valid UTF-8 (optionally with a BOM) with no disallowed control characters."""
    decoded = _decode(data)
    return decoded is not None and not _CONTROL.search(decoded)


def _is_markup(decoded: str) -> bool:
    """Whether the text starts as HTML or SVG, after any XML prologue."""
    head = decoded.lstrip()
    while match := _PROLOGUE.match(head):
        head = head[match.end() :]
    head = head.lstrip().lower()
    return head.startswith(_MARKUP_STARTS)


def clean(data: bytes) -> bytes:
    """The text unchanged, or FileRejected for non-text and HTML/SVG markup."""
    decoded = _decode(data)
    if decoded is None or _CONTROL.search(decoded) or _is_markup(decoded):
        raise FileRejected("unsupported_type")
    return data
