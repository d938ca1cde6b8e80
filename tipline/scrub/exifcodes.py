"""Which kinds of identifying metadata an opened image carries, as removal codes.

The image cleaner removes everything regardless; this module only names what was
there, so the reporter can be told (GPS position, serial numbers, and so on).
"""

from __future__ import annotations

from PIL import ExifTags, Image

EXIF_IFD, GPS_IFD, INTEROP_IFD = 0x8769, 0x8825, 0xA005
ORIENTATION = 0x0112
# Tags in the main IFD and the Exif IFD that identify the camera, person or moment.
EXIF_TAG_CODES = {
    0x010F: "camera_model",  # Make
    0x0110: "camera_model",  # Model
    0xA433: "camera_model",  # LensMake
    0xA434: "camera_model",  # LensModel
    0xA431: "camera_serial",  # BodySerialNumber
    0xA435: "camera_serial",  # LensSerialNumber
    0xC62F: "camera_serial",  # CameraSerialNumber (DNG)
    0x927C: "camera_serial",  # MakerNote: vendors store serial numbers there
    0x0132: "datetime",  # DateTime
    0x9003: "datetime",  # DateTimeOriginal
    0x9004: "datetime",  # DateTimeDigitized
    0x9010: "datetime",  # OffsetTime (reveals the time zone)
    0x9011: "datetime",  # OffsetTimeOriginal
    0x9012: "datetime",  # OffsetTimeDigitized
    0x0131: "software",  # Software
    0x013B: "author",  # Artist
    0x8298: "author",  # Copyright
    0x9C9D: "author",  # XPAuthor
    0xA430: "author",  # CameraOwnerName
    0x9286: "comment",  # UserComment
    0x9C9C: "comment",  # XPComment
    0x02BC: "xmp",  # XMLPacket
    0x83BB: "iptc",  # IPTC-NAA
    0x8773: "colour_profile",  # InterColorProfile
}
# Tags that only describe the pixel layout: not worth reporting as metadata.
STRUCTURAL_TAGS = {
    ORIENTATION, EXIF_IFD, GPS_IFD, INTEROP_IFD, 0x011A, 0x011B, 0x0128, 0x0213,
    0x9000, 0x9101, 0xA000, 0xA001, 0xA002, 0xA003,
}  # fmt: skip
INFO_CODES = {
    "xmp": "xmp",
    "XML:com.adobe.xmp": "xmp",
    "photoshop": "iptc",
    "comment": "comment",
    "icc_profile": "colour_profile",
}
PNG_TEXT_CODES = {
    "Author": "author",
    "Artist": "author",
    "Copyright": "author",
    "Creation Time": "datetime",
    "Software": "software",
    "Title": "title",
    "XML:com.adobe.xmp": "xmp",
    "Raw profile type iptc": "iptc",
    "Raw profile type 8bim": "iptc",
    "Raw profile type exif": "other_exif",
    "Raw profile type APP1": "other_exif",
}
# JPEG APP segments by marker and payload prefix; anything unlisted is reported.
JPEG_APP_CODES = {
    ("APP0", b"JFIF\x00"): None,
    ("APP0", b"JFXX\x00"): "thumbnail",
    ("APP1", b"Exif\x00"): None,  # reported tag by tag
    ("APP1", b"http://ns.adobe.com/"): "xmp",
    ("APP2", b"ICC_PROFILE\x00"): "colour_profile",
    ("APP2", b"MPF\x00"): "thumbnail",
    ("APP13", b"Photoshop 3.0\x00"): "iptc",
    ("APP14", b"Adobe"): None,
    ("COM", b""): "comment",
}


def _exif_codes(exif: Image.Exif) -> set[str]:
    """Codes for EXIF tags, the GPS IFD and an embedded thumbnail."""
    found = set()
    tags = dict(exif)
    tags.update(exif.get_ifd(EXIF_IFD))
    for tag in tags:
        if tag not in STRUCTURAL_TAGS:
            found.add(EXIF_TAG_CODES.get(tag, "other_exif"))
    if exif.get_ifd(GPS_IFD):
        found.add("gps")
    if exif.get_ifd(ExifTags.IFD.IFD1):
        found.add("thumbnail")
    return found


def _jpeg_app_codes(image: Image.Image) -> set[str]:
    """Codes for JPEG APP segments and comments, by marker and prefix."""
    found: set[str] = set()
    for marker, payload in getattr(image, "applist", []):
        matches = [
            code
            for (name, prefix), code in JPEG_APP_CODES.items()
            if name == marker and payload.startswith(prefix)
        ]
        found.update(code for code in matches if code)
        if not matches:
            found.add("other_metadata")
    return found


def found_in(image: Image.Image) -> set[str]:
    """Removal codes for the metadata ``image`` carries (pixels must be loaded)."""
    found = _exif_codes(image.getexif()) | _jpeg_app_codes(image)
    found.update(code for key, code in INFO_CODES.items() if image.info.get(key))
    for key in getattr(image, "text", {}):
        found.add(PNG_TEXT_CODES.get(key, "comment"))
    if image.format == "MPO" or image.info.get("thumbnails"):
        found.add("thumbnail")  # extra pictures: previews, depth maps
    if image.info.get("depth_images"):
        found.add("other_metadata")
    return found


def orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 = upright) the pixels must be turned by."""
    value = image.getexif().get(ORIENTATION, 1)
    return value if isinstance(value, int) else 1
