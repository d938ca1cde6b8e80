"""Hostile files that stay inside the upload limits but used to cost a web worker
minutes of CPU or gigabytes of memory (issue 12), built from real encoders."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

from tipline.intake.tests.test_scrub import DOCX_PARTS

MIB = 1024 * 1024


def progressive_jpeg(size: tuple[int, int], empty_scans: int) -> bytes:
    """A real progressive JPEG followed by ``empty_scans`` scans with no data:
    each makes the decoder pass over the whole image again."""
    out = io.BytesIO()
    Image.new("RGB", size, "gray").save(out, "JPEG", progressive=True, quality=50)
    data = out.getvalue()
    last = data.rfind(b"\xff\xda")
    length = int.from_bytes(data[last + 2 : last + 4], "big")
    header = data[last : last + 2 + length]
    return data[:-2] + header * empty_scans + b"\xff\xd9"


def _package(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def nested_docx(*, levels: int, fan_out: int, parts: int, part_size: int) -> bytes:
    """A Word file whose every package holds ``parts`` parts of ``part_size``
    zero bytes (a thousand to one) and ``fan_out`` copies of the next level."""
    filler = bytes(part_size)
    inner = b""
    for _level in range(levels):
        package: dict[str, bytes | str] = dict(DOCX_PARTS)
        for index in range(parts):
            package[f"word/media/filler{index}.bin"] = filler
        if inner:
            for index in range(fan_out):
                package[f"word/embeddings/Document{index}.docx"] = inner
        inner = _package(package)
    return inner


def animated_png(size: tuple[int, int], frames: int) -> bytes:
    """An APNG whose frames each differ by one pixel: tiny on disk (the encoder
    stores only what changes), but every frame decodes to the whole canvas."""
    images = []
    for index in range(frames):
        frame = Image.new("RGBA", size, (0, 0, 0, 255))
        frame.putpixel((index % size[0], 0), (255, 255, 255, 255))
        images.append(frame)
    out = io.BytesIO()
    images[0].save(out, "PNG", save_all=True, append_images=images[1:], duration=40)
    return out.getvalue()


def flat_png(size: tuple[int, int]) -> bytes:
    """One colour over ``size``: a small file that is a lot of work to re-encode."""
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(out, "PNG")
    return out.getvalue()
