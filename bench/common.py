"""Shared helpers for the benchmarks: machine description, timing, result files.

Benchmarks run a real instance (testkit.liveserver) on 127.0.0.1 and report
ratios against a baseline measured in the same run, because the machines they run
on are shared and noisy.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import requests

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TOKEN_RE = re.compile(r'name="(csrfmiddlewaretoken|token)" value="([^"]+)"')
STAFF_PASSWORD = "bench password for the analyst"


def machine() -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def form_tokens(html: str) -> dict[str, str]:
    return dict(TOKEN_RE.findall(html))


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def proc_status_kib(pid: int, field: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    if found is None:
        raise LookupError(f"no {field} in /proc/{pid}/status")
    return int(found.group(1))


def write_result(name: str, markdown: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.md"
    command = f"python -m bench.{name}"
    path.write_text(
        f"## {name}\n\nCommand: `{command}`  \n"
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}  \n"
        f"Commit: {git_commit()}\n\n{markdown}\n",
        encoding="utf-8",
    )
    return path


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def new_session() -> requests.Session:
    return requests.Session()
