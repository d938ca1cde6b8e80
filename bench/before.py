"""Ordinary submissions with files, end to end, against this tree and an earlier
commit, in the same run (issue 12: what the scrubbing sandbox and the body
receivers cost).

Usage: ``python -m bench.before [COMMIT]`` (default: BASELINE, the last commit
before issue 12's sandbox and receivers). The earlier commit is checked out into
a temporary git worktree and served by the same interpreter and packages; both
instances run side by side on SQLite (two web processes each, the default) and
are sent the same reports in turn, round after round, so that whatever else the
machine is doing falls on both alike. Each figure is the median seconds of one
report with one file (from fetching the form to the receipt); the ratio is
before / now (above 1: now is faster).
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.attachments import MB, big_pdf, noisy_jpeg
from bench.common import form_tokens, new_session, write_result
from bench.sandbox import pdf, photo
from testkit import liveserver

BASELINE = "87ca126"
ROUNDS = 7
ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def worktree(commit: str, where: Path) -> Iterator[Path]:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), commit],
        check=True,
        capture_output=True,
    )
    try:
        yield where
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
            check=False,
            capture_output=True,
        )


def report_seconds(live: liveserver.LiveTipline, name: str, data: bytes) -> float:
    session = new_session()
    started = time.perf_counter()
    tokens = form_tokens(session.get(live.url + "/report/approach/").text)
    response = session.post(
        live.url + "/report/approach/",
        data={**tokens, "what_happened": "benchmark report with a file"},
        files={"files": (name, data)},
    )
    took = time.perf_counter() - started
    if response.status_code != 200 or "Your report has been received" not in (
        response.text
    ):
        raise RuntimeError(f"{live.url}: upload failed: {response.status_code}")
    return took


def main() -> None:
    commit = sys.argv[1] if len(sys.argv) > 1 else BASELINE
    files = [
        ("photo, 12 MP camera JPEG", "photo.jpg", photo()),
        ("PDF, 10 scanned pages", "scan.pdf", pdf()),
        ("JPEG, 10 MB (re-encoded)", "big.jpg", noisy_jpeg(10 * MB)),
        ("PDF, one 10 MB image", "big.pdf", big_pdf(10 * MB)),
    ]
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="tipline-bench-") as tmp,
        worktree(commit, Path(tmp) / "before") as tree,
    ):
        before = liveserver.prepare(Path(tmp) / "old", PYTHONPATH=str(tree))
        now = liveserver.prepare(Path(tmp) / "new", PYTHONPATH=str(ROOT))
        with liveserver.running(before), liveserver.running(now):
            for label, name, data in files:
                report_seconds(before, name, data)  # warm both
                report_seconds(now, name, data)
                old, new = [], []
                for _round in range(ROUNDS):
                    old.append(report_seconds(before, name, data))
                    new.append(report_seconds(now, name, data))
                old_s, new_s = statistics.median(old), statistics.median(new)
                size = len(data) / MB
                rows.append(
                    f"| {label} | {size:.1f} | {old_s * 1000:.0f} | "
                    f"{new_s * 1000:.0f} | {size / old_s:.1f} | "
                    f"{size / new_s:.1f} | {old_s / new_s:.2f} |"
                )
                print(rows[-1], flush=True)
    table = "\n".join(
        [
            f"One report with one file, end to end over HTTP, at commit `{commit}` "
            f"(before) and now, sent in turn; median of {ROUNDS} rounds.",
            "",
            "| file | MB | before ms | now ms | before MB/s | now MB/s | "
            "before / now |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(write_result("before", table))


if __name__ == "__main__":
    main()
