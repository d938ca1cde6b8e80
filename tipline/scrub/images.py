"""Photos and pictures: rebuilt from their pixels so no metadata can survive.

Threats handled: EXIF (GPS position, camera and lens serial numbers, maker notes,
camera model, dates, software, owner names), XMP, IPTC, comments and text chunks,
colour profiles, embedded previews; and decoder attacks: decompression bombs (the
decoded size in bytes, of one frame and of all frames of an animation together,
is checked before any pixel is decoded), progressive JPEGs with thousands of
scans (each scan makes the decoder pass over the whole image again: counted
first), animations whose frames together would exhaust memory (decoded one at a
time, each kept only as its clean copy), and truncated or corrupt files.
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

# Limits are on decoded bytes, not pixels: Pillow holds most modes at four bytes a
# pixel, so a pixel count alone lets an RGBA image cost four times a greyscale one.
# 200 MiB is a 52-megapixel colour photo; the pixel count stays as a sanity bound.
MAX_DECODED_BYTES = 200 * 1024 * 1024
MAX_PIXELS = 60_000_000
# All frames of an animation together (frames x width x height x bytes a pixel),
# and how many frames: the encoder holds every kept frame at once.
MAX_ANIMATION_BYTES = 256 * 1024 * 1024
MAX_FRAMES = 5_000
# A photo has one scan, a progressive one about ten; every scan costs the decoder a
# pass over the whole image, so a small file with thousands of empty scans held a
# worker for minutes (issue 12).
MAX_JPEG_SCANS = 100
JPEG_SOS = b"\xff\xda"
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
    if fmt.name == "jpeg":
        check_scans(data)
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


def check_scans(data: bytes) -> None:
    """Refuse a JPEG with more scans than any real photo has, before decoding.

    Inside entropy-coded data every 0xFF byte is followed by a zero or a restart
    marker, so each start-of-scan marker in the file is counted (those of an
    embedded thumbnail too, which only makes the count err on the safe side).
    """
    if data.count(JPEG_SOS) > MAX_JPEG_SCANS:
        raise FileRejected("too_costly")


def bytes_per_pixel(mode: str) -> int:
    """What Pillow holds in memory for one pixel of ``mode``."""
    return 1 if mode in ("1", "L", "P") else 4


def decoded_bytes(image: Image.Image) -> int:
    width, height = image.size
    return width * height * bytes_per_pixel(image.mode)


def _check_size(image: Image.Image) -> None:
    """Refuse images whose decoded size (or pixel count) would exhaust memory."""
    width, height = image.size
    if width * height > MAX_PIXELS or decoded_bytes(image) > MAX_DECODED_BYTES:
        raise FileRejected("too_many_pixels")


def _frame_count(image: Image.Image, fmt: Format) -> int:
    """How many frames to keep: animations keep all, other formats the first.
    A GIF's later frames decode to RGB(A), so they count at four bytes a pixel;
    PNG and WebP frames keep the first frame's mode."""
    if fmt.name not in ANIMATED:
        return 1
    frames = getattr(image, "n_frames", 1)
    width, height = image.size
    per_pixel = bytes_per_pixel(image.mode)
    if fmt.name == "gif" and frames > 1:
        per_pixel = 4
    total = frames * width * height * per_pixel
    if frames > MAX_FRAMES or total > MAX_ANIMATION_BYTES:
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
    """Every kept frame, upright, colour-managed, stripped of all metadata.

    Frames are decoded one at a time and only the clean copy of each is kept (the
    decoder's frame and the intermediate copies go before the next one), and the
    bytes kept are counted as they grow, whatever the header declared.
    """
    icc = image.info.get("icc_profile")
    method = _ORIENTATION.get(orientation)
    frames: list[Image.Image] = []
    kept = 0
    for index in range(_frame_count(image, fmt)):
        image.seek(index)
        image.load()
        clean = _clean_frame(image, method, icc)
        kept += decoded_bytes(clean)
        if kept > MAX_ANIMATION_BYTES and index > 0:
            raise FileRejected("too_many_pixels")
        clean.info["duration"] = image.info.get("duration", 0)
        frames.append(clean)
    return frames


def _clean_frame(
    image: Image.Image, method: Image.Transpose | None, icc: bytes | None
) -> Image.Image:
    """The current frame's pixels alone, upright and colour-managed."""
    frame = image.transpose(method) if method is not None else image
    if icc:
        frame = _to_srgb(frame, icc)
    return _pixels_only(frame)


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
