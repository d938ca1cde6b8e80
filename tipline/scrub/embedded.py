"""Pictures inside Office and OpenDocument files, whatever their format.

JPEG, PNG, WebP and JPEG 2000 lose their metadata without being re-encoded (see
``rawimage`` and ``jp2``). TIFF, HEIC and GIF pictures cannot be edited that way
(TIFF keeps EXIF and GPS in the same directory as its pixel layout, HEIC in items
of its own, GIF in extension blocks), so they are rebuilt from their pixels in
the same format, under the same size limits as uploaded photos: the part keeps
its name and type, and the document still opens.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from . import exifcodes, images, rawimage, tiff
from .detect import FORMATS, HEIC_BRANDS
from .result import FileRejected


def _rebuild_tiff(data: bytes) -> tuple[bytes, bool]:
    """A TIFF of the first page's pixels alone, losslessly compressed."""
    image = Image.open(io.BytesIO(data), formats=["TIFF"])
    images._check_size(image)
    with image:
        image.load()
        frame = images._pixels_only(image)
    out = io.BytesIO()
    frame.save(out, format="TIFF", compression="tiff_adobe_deflate")
    return out.getvalue(), bool(tiff.codes(data))


def _rebuild_heif(data: bytes) -> tuple[bytes, bool]:
    """A HEIC of the pixels alone (orientation applied, colour profile used)."""
    heic = FORMATS["heic"]
    image = images._open(data, heic)
    with image:
        image.load()
        images._check_size(image)
        found = exifcodes.found_in(image)
        frame = images._frames(image, heic, exifcodes.orientation(image))[0]
    out = io.BytesIO()
    frame.save(out, format="HEIF", quality=images.JPEG_QUALITY)
    return out.getvalue(), bool(found)


def _rebuild_gif(data: bytes) -> tuple[bytes, bool]:
    output, _fmt, found = images.clean(data, FORMATS["gif"])
    return output, bool(found)


Rebuilder = Callable[[bytes], tuple[bytes, bool]]


def _rebuilder(data: bytes) -> Rebuilder | None:
    if data.startswith(tiff.MAGIC):
        return _rebuild_tiff
    if data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
        return _rebuild_heif
    if data.startswith((b"GIF87a", b"GIF89a")):
        return _rebuild_gif
    return None


def clean(data: bytes) -> tuple[bytes, bool] | None:
    """The picture without metadata and whether anything was removed; None if
    it is not a picture this module knows or it cannot be decoded."""
    stripped = rawimage.strip_embedded(data)
    if stripped is not None:
        return stripped
    rebuild = _rebuilder(data)
    if rebuild is None:
        return None
    try:
        return rebuild(data)
    except (FileRejected, *images._DECODE_ERRORS):
        return None
