"""Evidence upload benchmark (issue 4).

End to end over HTTP against a real instance: upload, type check, scrub and encrypt
a 10 MB JPEG and a 10 MB PDF, in MB/s, next to the raw secretstream encryption speed
of the same bytes measured in the same run (the ratio is the figure). Then the peak
memory growth of a web process while it receives a 50 MB file, against the floor of
3x the file size, and the peak memory of the sandbox worker that scrubbed it (its
own limit is TIPLINE_SCRUB_MEMORY_BYTES, 1.5 GiB of address space).
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf
from PIL import Image

from bench.common import (
    STAFF_PASSWORD,
    form_tokens,
    median_seconds,
    new_session,
    proc_status_kib,
    write_result,
)
from testkit import liveserver
from tipline import crypto

MB = 1024 * 1024
REPEAT = 5


def noisy_jpeg(target: int) -> bytes:
    """A JPEG of about ``target`` bytes: random pixels barely compress."""
    side = int((target / 0.97) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def big_pdf(target: int, pages: int = 1) -> bytes:
    """A PDF carrying about ``target`` bytes of incompressible image data, one image
    per page (``pages=1`` is qpdf's worst case: one stream as large as the file)."""
    pdf = pikepdf.new()
    side = int((target / pages / 3) ** 0.5)
    for number in range(pages):
        image = pikepdf.Stream(pdf, os.urandom(side * side * 3))
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height = side, side
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
        pdf.add_blank_page(page_size=(612, 792))
        page = pdf.pages[number]
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 612 0 0 792 0 0 cm /Im0 Do Q")
    pdf.docinfo["/Author"] = "Bench Author"
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def scanned_pdf(target: int) -> bytes:
    """A 25-page scan: the common shape of a large PDF."""
    return big_pdf(target, pages=25)


def box(kind: bytes, payload: bytes) -> bytes:
    return (len(payload) + 8).to_bytes(4, "big") + kind + payload


def fake_video(target: int) -> bytes:
    """An MP4 container (ftyp, moov, mdat) of about ``target`` bytes."""
    head = box(b"ftyp", b"mp42\x00\x00\x00\x00mp42isom") + box(
        b"moov", box(b"free", b"")
    )
    return head + box(b"mdat", os.urandom(target - len(head) - 8))


def raw_encrypt_seconds(data: bytes) -> float:
    key = crypto.new_data_key()
    return median_seconds(
        lambda: sum(len(c) for c in crypto.encrypt_stream(key, io.BytesIO(data))),
        REPEAT,
    )


def upload_seconds(live: liveserver.LiveTipline, name: str, data: bytes) -> float:
    session = new_session()
    samples = []
    for _ in range(REPEAT):
        tokens = form_tokens(session.get(live.url + "/report/approach/").text)
        started = time.perf_counter()
        response = session.post(
            live.url + "/report/approach/",
            data={**tokens, "what_happened": "benchmark upload"},
            files={"files": (name, data)},
        )
        samples.append(time.perf_counter() - started)
        if response.status_code != 200 or "Your report has been received" not in (
            response.text
        ):
            raise RuntimeError(f"upload failed: {response.status_code}")
    samples.sort()
    return samples[len(samples) // 2]


def children(pid: int) -> list[int]:
    """Processes started by any thread of ``pid`` (the scrub workers are started
    by an application thread, so they are not under the main thread)."""
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]


def peak_growth(root: Path, name: str, data: bytes) -> tuple[float, float, float]:
    """(peak RSS growth, peak RSS) in MiB of the one web process receiving
    ``data``, and the peak RSS in MiB of the scrub worker that cleaned it."""
    live = liveserver.prepare(
        root, TIPLINE_WORKERS="1", TIPLINE_THREADS="1", TIPLINE_SCRUB_PROCESSES="1"
    )
    with liveserver.running(live):
        session = new_session()
        tokens = form_tokens(session.get(live.url + "/report/approach/").text)
        session.post(
            live.url + "/report/approach/",
            data={**tokens, "what_happened": "warm-up"},
            files={"files": ("warm-up.txt", b"starts the scrub worker\n")},
        )
        (worker,) = live.worker_pids()
        (scrubber,) = children(worker)
        before = proc_status_kib(worker, "VmRSS")
        tokens = form_tokens(session.get(live.url + "/report/approach/").text)
        response = session.post(
            live.url + "/report/approach/",
            data={**tokens, "what_happened": "memory"},
            files={"files": (name, data)},
        )
        if response.status_code != 200:
            raise RuntimeError(f"upload failed: {response.status_code}")
        peak = proc_status_kib(worker, "VmHWM")
        scrub_peak = proc_status_kib(scrubber, "VmHWM")
    return (peak - before) / 1024, peak / 1024, scrub_peak / 1024


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="tipline-bench-") as tmp:
        live = liveserver.prepare(Path(tmp) / "speed", TIPLINE_PASSWORD=STAFF_PASSWORD)
        live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
        with liveserver.running(live):
            for label, name, data in [
                ("JPEG (re-encoded)", "photo.jpg", noisy_jpeg(10 * MB)),
                ("PDF (pikepdf)", "document.pdf", big_pdf(10 * MB)),
            ]:
                raw = raw_encrypt_seconds(data)
                e2e = upload_seconds(live, name, data)
                size = len(data) / MB
                rows.append(
                    f"| {label} | {size:.1f} | {size / e2e:.1f} | {size / raw:.0f} | "
                    f"{raw / e2e:.3f} |"
                )
                print(rows[-1], flush=True)
        memory = []
        makers: list[tuple[str, str, Callable[[int], bytes]]] = [
            ("video (kept as is)", "clip.mp4", fake_video),
            ("PDF, 25 scanned pages (scrubbed)", "scan.pdf", scanned_pdf),
            ("PDF, one 50 MB image (scrubbed)", "big.pdf", big_pdf),
        ]
        for label, name, maker in makers:
            data = maker(50 * MB)
            growth, peak, scrub_peak = peak_growth(Path(tmp) / name, name, data)
            size = len(data) / MB
            memory.append(
                f"| {label} | {size:.0f} | {growth:.0f} | {growth / size:.2f} | "
                f"{peak:.0f} | {scrub_peak:.0f} |"
            )
            print(memory[-1], flush=True)
    table = "\n".join(
        [
            "End-to-end upload (HTTP, scrub, encrypt, store) vs raw encryption of the "
            f"same bytes; median of {REPEAT}.",
            "",
            "| file | MB | end-to-end MB/s | raw encryption MB/s | ratio |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "Peak memory of the single web process receiving one file "
            "(VmHWM minus VmRSS before the upload; floor: growth under 3x the size), "
            "and of the scrub worker that cleaned it (VmHWM).",
            "",
            "| file | MB | peak growth MiB | growth / size | peak RSS MiB | "
            "scrub worker peak RSS MiB |",
            "|---|---|---|---|---|---|",
            *memory,
        ]
    )
    print(write_result("attachments", table))


if __name__ == "__main__":
    main()
