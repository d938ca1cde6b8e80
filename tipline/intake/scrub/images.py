"""Photos and pictures: rebuilt from their pixels so no metadata can survive.

Threats handled: EXIF (GPS position, camera and lens serial numbers, maker notes,
camera model, dates, software, owner names), XMP, IPTC, comments and text chunks,
colour profiles, embedded previews; and decoder attacks: decompression bombs (the
size is checked before any pixel is decoded) and truncated or corrupt files.
"""

from __future__ import annotations

import io
import struct

import pillow_heif
from PIL import Image, ImageCms

from . import exifcodes
from .detect import FORMATS, Format
from .result import FileRejected

pillow_heif.register_heif_opener()

MAX_PIXELS = 60_000_000
# All frames of an animation together, and how many frames, bound memory use.
MAX_ANIMATION_PIXELS = 250_000_000
MAX_FRAMES = 5_000
JPEG_QUALITY = 95
PILLOW_FORMATS = {
    "jpeg": ["JPEG", "MPO"],
    "png": ["PNG"],
    "webp": ["WEBP"],
    "gif": ["GIF"],
    "heic": ["HEIF"],
}
ANIMATED = {"png", "webp", "gif"}
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Decoders raise all of these on hostile input; none may escape as a crash.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    EOFError,
    struct.error,
    ZeroDivisionError,
    RuntimeError,  # pillow-heif reports libheif failures and limits this way
    Image.DecompressionBombWarning,
)
_SURVIVORS = {"exif", "xmp", "XML:com.adobe.xmp", "photoshop", "comment", "icc_profile"}


def _open(data: bytes, fmt: Format) -> Image.Image:
    """Open without decoding pixels, refusing oversized images first."""
    try:
        image = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS[fmt.name])
    except Image.DecompressionBombError:
        raise FileRejected("too_many_pixels") from None
    except Image.DecompressionBombWarning:
        # Only raised when warnings are errors; it still means too many pixels.
        raise FileRejected("too_many_pixels") from None
    except _DECODE_ERRORS:
        raise FileRejected("damaged") from None
    _check_size(image)
    return image


def _check_size(image: Image.Image) -> None:
    """Refuse images whose pixel count would exhaust memory."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise FileRejected("too_many_pixels")


def _frame_count(image: Image.Image, fmt: Format) -> int:
    """How many frames to keep: animations keep all, other formats the first."""
    if fmt.name not in ANIMATED:
        return 1
    frames = getattr(image, "n_frames", 1)
    width, height = image.size
    if frames > MAX_FRAMES or frames * width * height > MAX_ANIMATION_PIXELS:
        raise FileRejected("too_many_pixels")
    return frames


def _to_srgb(frame: Image.Image, icc: bytes) -> Image.Image:
    """Apply the colour profile to the pixels, so dropping it keeps the look."""
    if frame.mode not in ("RGB", "RGBA", "CMYK"):
        return frame
    target = "RGBA" if frame.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        converted = ImageCms.profileToProfile(frame, source, srgb, outputMode=target)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return frame
    return converted if converted is not None else frame


def _pixels_only(frame: Image.Image) -> Image.Image:
    """A new image holding only the pixels (and palette/transparency they need)."""
    clean = Image.frombytes(frame.mode, frame.size, frame.tobytes())
    if frame.mode in ("P", "PA") and frame.palette is not None:
        rawmode = frame.palette.mode
        clean.putpalette(frame.getpalette(rawmode) or [], rawmode)
    if "transparency" in frame.info:
        clean.info["transparency"] = frame.info["transparency"]
    return clean


def _frames(image: Image.Image, fmt: Format, orientation: int) -> list[Image.Image]:
    """Every kept frame, upright, colour-managed, stripped of all metadata."""
    icc = image.info.get("icc_profile")
    method = _ORIENTATION.get(orientation)
    frames = []
    for index in range(_frame_count(image, fmt)):
        image.seek(index)
        image.load()
        frame = image.copy()
        if method is not None:
            frame = frame.transpose(method)
        if icc:
            frame = _to_srgb(frame, icc)
        clean = _pixels_only(frame)
        clean.info["duration"] = image.info.get("duration", 0)
        frames.append(clean)
    return frames


def _webp_is_lossless(data: bytes) -> bool:
    """Whether the first image chunk (possibly inside an animation frame) is VP8L."""
    pos = 12
    while pos + 8 <= len(data):
        kind = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        if kind in (b"VP8 ", b"VP8L"):
            return kind == b"VP8L"
        if kind == b"ANMF":
            return data[pos + 24 : pos + 28] == b"VP8L"
        pos += 8 + size + (size & 1)
    return False


def _encode(frames: list[Image.Image], fmt: Format, data: bytes, loop: object) -> bytes:
    """Encode the clean frames in the output format, with no metadata."""
    out = io.BytesIO()
    first = frames[0]
    options: dict[str, object] = {}
    if len(frames) > 1:
        durations = [frame.info.get("duration", 0) for frame in frames]
        options = {"save_all": True, "append_images": frames[1:], "duration": durations}
        if loop is not None:
            options["loop"] = loop
    if fmt.name in ("jpeg", "heic"):
        if first.mode not in ("L", "RGB", "CMYK"):
            first = first.convert("RGB")
        first.save(out, format="JPEG", quality=JPEG_QUALITY)
    elif fmt.name == "webp":
        lossless = _webp_is_lossless(data)
        quality = 100 if lossless else JPEG_QUALITY
        first.save(out, format="WEBP", lossless=lossless, quality=quality, **options)
    else:
        first.save(out, format=fmt.name.upper(), **options)
    return out.getvalue()


def _verify(output: bytes) -> None:
    """Fail loudly if the encoder wrote any metadata back (a bug, never expected)."""
    reopened = Image.open(io.BytesIO(output))
    if _SURVIVORS & set(reopened.info) or reopened.getexif():
        raise RuntimeError("image metadata survived cleaning")


def clean(data: bytes, fmt: Format) -> tuple[bytes, Format, set[str]]:
    """The re-encoded image, its format (HEIC becomes JPEG) and removal codes."""
    image = _open(data, fmt)
    try:
        with image:
            image.load()
            _check_size(image)  # HEIF can decode to another size than declared
            found = exifcodes.found_in(image)
            orientation = exifcodes.orientation(image)
            loop = image.info.get("loop")
            frames = _frames(image, fmt, orientation)
    except Image.DecompressionBombError:
        raise FileRejected("too_many_pixels") from None
    except _DECODE_ERRORS:
        raise FileRejected("damaged") from None
    try:
        output = _encode(frames, fmt, data, loop)
    except (OSError, ValueError, TypeError, KeyError):
        raise FileRejected("damaged") from None
    _verify(output)
    # HEIC is re-encoded as JPEG, which every recipient can open.
    return output, FORMATS["jpeg"] if fmt.name == "heic" else fmt, found
