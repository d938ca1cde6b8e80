"""Real files with real metadata, built in memory for the tests."""

import io

from PIL import Image

SERIAL = "SN-99887766"


def gps_jpeg(size=(64, 48)) -> bytes:
    """A real JPEG with GPS coordinates and a camera serial number in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone X"  # Model
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "E", 4: (0.0, 7.0, 39.2)})
    exif.get_ifd(0x8769)[0xA431] = SERIAL  # BodySerialNumber
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
