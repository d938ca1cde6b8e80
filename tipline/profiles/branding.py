"""The organisation's look, checked: logo re-encoding, colour contrast, and the
small stylesheet that carries the colours (issue 15, point 9).

Pure functions over bytes and strings, so the settings page, the public views
and the tests use the same checks.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import datetime

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, UnidentifiedImageError

# What an administrator may upload, and what is kept: a logo is shown at most
# about 4 rem high, so 1,024 px a side is plenty; 2 MB covers any honest PNG/JPEG.
MAX_LOGO_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_LOGO_SIDE = 1024
# Decoding is refused past this many pixels (a small file can claim huge sizes).
MAX_LOGO_PIXELS = 4096 * 4096
ACCEPTED_FORMATS = frozenset({"PNG", "JPEG"})
# WCAG 2.2 AA for normal text (success criterion 1.4.3).
MIN_CONTRAST = 4.5
COLOUR = re.compile(r"#[0-9a-f]{6}")
WHITE = "#ffffff"
# The page's body text colour (site.css --fg), which the header also shows.
BODY_TEXT = "#1b1b1b"
# A phone number in a text: 3 or more digits, optionally with a leading + and
# spaces, dots, dashes or brackets between them ("112", "+44 20 7946 0000").
PHONE = re.compile(r"(?<![\w+])\+?\d(?:[\d .()-]{0,20}\d)?(?![\w])")


class LogoRefused(ValueError):
    """The upload is not a PNG or JPEG we can decode within the bounds."""


def reencode_logo(data: bytes) -> bytes:
    """The pixels of an uploaded PNG or JPEG as a fresh PNG, at most
    MAX_LOGO_SIDE a side. Threat: a file that carries script (SVG, HTML
    polyglots), metadata (EXIF, GPS, comments, ICC text) or a decoder exploit
    aimed at visitors' browsers; only decoded pixels survive the re-encode."""
    if len(data) > MAX_LOGO_UPLOAD_BYTES:
        raise LogoRefused("too large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(ACCEPTED_FORMATS)) as img:
                width, height = img.size
                if width * height > MAX_LOGO_PIXELS:
                    raise LogoRefused("too many pixels")
                img.load()
                rgba = img.convert("RGBA")
    except LogoRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise LogoRefused("not a PNG or JPEG") from error
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise LogoRefused("too many pixels") from error
    rgba.thumbnail((MAX_LOGO_SIDE, MAX_LOGO_SIDE))
    out = io.BytesIO()
    rgba.save(out, "PNG", optimize=True)
    return out.getvalue()


def normalise_colour(value: str) -> str | None:
    """``#rrggbb`` in lower case, or None if ``value`` is not one."""
    colour = value.strip().lower()
    return colour if COLOUR.fullmatch(colour) else None


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_failures(*, primary: str, header: str) -> list[str]:
    """Which pairs fail AA, as the page uses them: "primary" (links on the
    page's white, white text on buttons), "header" (the header's links, in the
    primary colour, on its background), "header_text" (the header's plain
    text on its background)."""
    failures = []
    if contrast_ratio(primary, WHITE) < MIN_CONTRAST:
        failures.append("primary")
    if contrast_ratio(primary, header) < MIN_CONTRAST:
        failures.append("header")
    if contrast_ratio(BODY_TEXT, header) < MIN_CONTRAST:
        failures.append("header_text")
    return failures


def with_phone_links(text: str) -> SafeString:
    """``text`` escaped, each phone number in it a ``tel:`` link, so a phone
    dials the emergency line in one tap."""
    parts: list[str] = []
    end = 0
    for match in PHONE.finditer(text):
        digits = re.sub(r"[^\d+]", "", match.group())
        if len(digits.lstrip("+")) < 3:
            continue
        parts.append(escape(text[end : match.start()]))
        parts.append(format_html('<a href="tel:{}">{}</a>', digits, match.group()))
        end = match.end()
    parts.append(escape(text[end:]))
    return mark_safe("".join(parts))  # every part is escaped above


def brand_css(*, primary: str, header: str) -> str:
    """The stylesheet that sets the brand colours (site.css reads them as custom
    properties). Only validated ``#rrggbb`` values reach it."""
    primary = normalise_colour(primary) or "#0b4f8a"
    header = normalise_colour(header) or WHITE
    return (
        "/* Brand colours: Settings > Site. */\n"
        f":root {{ --accent: {primary}; --header-bg: {header}; }}\n"
    )


def version_of(updated_at: datetime | None) -> str:
    """The ``?v=`` of the logo's and stylesheet's addresses: it changes with
    every save of the settings, so browsers may cache each address for good."""
    return "" if updated_at is None else str(round(updated_at.timestamp() * 1e6))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
