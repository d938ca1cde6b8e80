"""Image previews re-encoded on the server, so a staff browser never decodes the
uploaded bytes themselves (a malformed image aimed at the browser's decoder is
neutralised by Pillow's decode and re-encode)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from PIL import Image

PREVIEW_SIZE = (1024, 1024)


def image_preview(chunks: Iterable[bytes]) -> tuple[bytes, str]:
    """A PNG (if the image has transparency) or JPEG at most 1024 px on a side."""
    with Image.open(io.BytesIO(b"".join(chunks))) as image:
        image.thumbnail(PREVIEW_SIZE)
        out = io.BytesIO()
        if image.mode in ("RGBA", "LA", "P"):
            image.convert("RGBA").save(out, "PNG")
            return out.getvalue(), "image/png"
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg"
