"""With the data directory's disk full, a submission fails with a clear message,
nothing stored is damaged, and the retry works once there is space again."""

import contextlib
import os
import subprocess
from pathlib import Path

import pytest
import requests

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens, receipt_in

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        os.geteuid() != 0, reason="mounting a small filesystem needs root (CI has it)"
    ),
]


@contextlib.contextmanager
def small_disk(path: Path, size: str):
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                   check=True)  # fmt: skip
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill(path: Path) -> Path:
    """Fill the filesystem holding ``path`` until it refuses another byte."""
    filler = path / "filler"
    with filler.open("wb", buffering=0) as handle:
        for size in (256 * 1024, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    handle.write(b"\0" * size)
    return filler


def open_with(session, base, receipt):
    html = session.get(base + "/followup/").text
    return session.post(
        base + "/followup/", data={**form_tokens(html), "receipt": receipt}
    )


def test_a_full_disk_refuses_clearly_and_damages_nothing(tmp_path, live_database):
    if live_database:
        pytest.skip("the database's disk is the PostgreSQL server's here")
    with small_disk(tmp_path / "disk", "64m") as disk:
        live = liveserver.prepare(disk, TIPLINE_PASSWORD=PASSWORD)
        with liveserver.running(live):
            base = live.url
            reporter = requests.Session()
            html = reporter.get(base + "/report/approach/").text
            first = reporter.post(
                base + "/report/approach/",
                data={
                    **form_tokens(html),
                    "what_happened": "Stored before the disk filled.",
                },
            )
            first_receipt = receipt_in(first.text)

            filler = fill(disk)
            html = reporter.get(base + "/report/approach/").text
            data = {
                **form_tokens(html),
                "what_happened": "Sent while the disk is full.",
            }
            evidence = {
                "files": ("notes.txt", b"evidence line\n" * 50_000, "text/plain")
            }
            refused = reporter.post(
                base + "/report/approach/", data=data, files=evidence
            )

            assert refused.status_code == 503
            assert "out of storage space" in refused.text
            assert "Sent while the disk is full." in refused.text
            # What was stored before is intact and readable (but not answerable).
            opened = open_with(requests.Session(), base, first_receipt)
            assert opened.status_code == 503
            assert "Stored before the disk filled." in opened.text
            assert "you can read your report but not reply" in opened.text

            filler.unlink()
            retried = reporter.post(
                base + "/report/approach/", data=data, files=evidence
            )
            assert retried.status_code == 200
            assert receipt_in(retried.text)
            count = live.run(
                "manage",
                "shell",
                "-c",
                "from tipline.cases.models import Attachment, Report;"
                "print(Report.objects.count(), Attachment.objects.count())",
            ).stdout.split()[-2:]
            assert count == ["2", "1"]
