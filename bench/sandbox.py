"""What the scrubbing sandbox costs (issue 12): an ordinary photo and an ordinary
PDF scrubbed in this process and in a warm sandbox worker, in the same run; the
ratio is the figure. Both read the upload from an EncryptedSpool, as the web
process does.
"""

from __future__ import annotations

import functools
import io
import os

from PIL import Image

from bench.attachments import big_pdf
from bench.common import median_seconds, write_result
from tipline import scrub
from tipline.crypto import EncryptedSpool
from tipline.intake.sandbox import ScrubPool

MB = 1024 * 1024
REPEAT = 9


def photo() -> bytes:
    """A 12-megapixel camera-sized JPEG with EXIF (about 3 MB)."""
    side = (4000, 3000)
    noise = Image.frombytes("L", (side[0] // 8, side[1] // 8), os.urandom(500 * 375))
    image = Image.merge("RGB", [noise.resize(side)] * 3)
    exif = Image.Exif()
    exif[0x010F] = "Bench Camera"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def pdf() -> bytes:
    """A 10-page scanned document with an author (about 2 MB)."""
    return big_pdf(2 * MB, pages=10)


def spooled(data: bytes) -> EncryptedSpool:
    spool = EncryptedSpool()
    spool.write(data)
    spool.finish()
    return spool


def in_process(spool: EncryptedSpool) -> None:
    with spool.reader() as source:
        scrub.clean_upload(source)


def in_sandbox(pool: ScrubPool, spool: EncryptedSpool) -> None:
    with spool.reader() as source:
        pool.clean_upload(source)


def main() -> None:
    pool = ScrubPool(processes=1, seconds=30, memory_bytes=1536 * MB)
    pool.warm()
    rows = []
    try:
        for label, data in [("photo, 12 MP JPEG", photo()), ("PDF, 10 pages", pdf())]:
            spool = spooled(data)
            in_sandbox(pool, spool)  # the worker has loaded its decoders once
            here = median_seconds(functools.partial(in_process, spool), REPEAT)
            there = median_seconds(functools.partial(in_sandbox, pool, spool), REPEAT)
            rows.append(
                f"| {label} | {len(data) / MB:.2f} | {here * 1000:.1f} | "
                f"{there * 1000:.1f} | {there / here:.2f} |"
            )
            print(rows[-1], flush=True)
    finally:
        pool.close()
    table = "\n".join(
        [
            "Scrubbing one file in the web process vs in a warm sandbox worker "
            f"(tipline/intake/sandbox.py), same run; median of {REPEAT}.",
            "",
            "| file | MB | in process ms | sandbox ms | ratio |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )
    print(write_result("sandbox", table))


if __name__ == "__main__":
    main()
