"""Anonymous submissions over HTTP (issue 3).

For SQLite and, when TIPLINE_TEST_POSTGRES names a server (`make bench` starts one
with scripts/test-postgres), PostgreSQL:

- a bare Django view that validates a small form and inserts one row, served the
  same way (the baseline), and Tipline's report form with 1 KB of text, at
  concurrency 1, 8, 32 and 128: throughput, p50/p99 latency, failures, and Tipline's
  throughput as a fraction of the baseline's;
- the same report form with a 1 MB photo attached (scrubbed and encrypted);
- follow-up sign-in with a receipt: requests per second;
- the memory of each web process after the heaviest run.

The load comes from wrk (Debian's package) on the same machine; every request
carries its own one-time form token, so each one stores a real report.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
from django.core import signing
from PIL import Image

from bench.common import STAFF_PASSWORD, form_tokens, proc_status_kib, write_result
from testkit import liveserver

HERE = Path(__file__).resolve().parent
CONCURRENCY = [1, 8, 32, 128]
SECONDS = int(os.environ.get("BENCH_SECONDS", "7"))
# One body per request: enough for 1,000 reports a second, several times what
# either server reaches here.
BODIES = 1_000 * SECONDS
WORKERS = os.environ.get("BENCH_WORKERS", "2")  # one per CPU here, as tipline serve


def threads_for(name: str) -> str:
    """Threads per web process: `tipline serve`'s default (1) unless overridden."""
    return os.environ.get("BENCH_THREADS") or "1"


TEXT = (
    "I saw a man photograph the entrance of the research lab twice this week. " * 14
)[:1024]
SYLLABLES = [
    consonant + vowel
    for consonant in "bcdfghklmnprstvwz"
    for vowel in ("a", "e", "i", "o", "u", "ai", "ou")
]


def report_text(rng: random.Random) -> str:
    """About 1 KB of text, different for every report as real reports are: one
    text repeated thousands of times would measure a flood of duplicates instead,
    each one matching every earlier copy."""
    words: list[str] = []
    while sum(len(word) + 1 for word in words) < 1024:
        words.append("".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))))
    return " ".join(words)[:1024]


@dataclass
class Run:
    label: str
    concurrency: int
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int

    def row(self, baseline: Run | None = None) -> str:
        ratio = f"{self.rps / baseline.rps:.0%}" if baseline else ""
        return (
            f"| {self.label} | {self.concurrency} | {self.rps:.0f} | "
            f"{self.p50_ms:.0f} | {self.p99_ms:.0f} | {self.failures} | {ratio} |"
        )


def wrk(
    url: str,
    path: str,
    bodies: Path,
    concurrency: int,
    *,
    content_type: str,
    cookie: str = "",
    wrap: tuple[Path, Path] | None = None,
    label: str,
) -> Run:
    threads = min(2, concurrency)
    env = {
        **os.environ,
        "WRK_BODIES": str(bodies),
        "WRK_PATH": path,
        "WRK_CONTENT_TYPE": content_type,
        "WRK_COOKIE": cookie,
        "WRK_THREADS": str(threads),
    }
    if wrap:
        env.update(WRK_PREFIX=str(wrap[0]), WRK_SUFFIX=str(wrap[1]))
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{SECONDS}s",
            "--timeout",
            "30s",
            "-s",
            str(HERE / "wrk_post.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    seconds = summary["duration_us"] / 1e6
    failures = summary["socket_errors"] + summary["status_errors"] + summary["timeouts"]
    return Run(
        label,
        concurrency,
        summary["requests"] / seconds,
        summary["p50_us"] / 1000,
        summary["p99_us"] / 1000,
        failures,
    )


class Tipline:
    """A running instance plus what is needed to forge nothing but valid requests."""

    def __init__(self, live: liveserver.LiveTipline) -> None:
        self.live = live
        self.secret_key = (live.data_dir / "secrets" / "secret_key").read_text().strip()
        session = requests.Session()
        html = session.get(live.url + "/report/approach/").text
        self.csrf_form = form_tokens(html)["csrfmiddlewaretoken"]
        self.cookie = f"csrftoken={session.cookies['csrftoken']}"

    def tokens(self, count: int) -> list[str]:
        """Report form tokens, signed as the server signs them (tipline.lib.tokens)."""
        signer = signing.TimestampSigner(
            key=self.secret_key, salt="tipline.form.report", fallback_keys=[]
        )
        return [
            signer.sign(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
            for _ in range(count)
        ]

    def reports(self) -> int:
        out = self.live.run(
            "manage",
            "shell",
            "-c",
            "from tipline.cases.models import Report; print(Report.objects.count())",
        ).stdout
        return int(out.strip().splitlines()[-1])


def text_bodies(tipline: Tipline, directory: Path, count: int) -> Path:
    path = directory / "text-bodies.txt"
    rng = random.Random(count)
    with path.open("w") as handle:
        for token in tipline.tokens(count):
            handle.write(
                urllib.parse.urlencode(
                    {
                        "csrfmiddlewaretoken": tipline.csrf_form,
                        "token": token,
                        "what_happened": report_text(rng),
                        "where": "Research park, gate B",
                    }
                )
                + "\n"
            )
    return path


def photo_bodies(
    tipline: Tipline, directory: Path, count: int
) -> tuple[Path, Path, Path]:
    boundary = "tiplinebench" + secrets.token_hex(8)
    photo = jpeg_of_about(1024 * 1024)

    def part(name: str, value: str) -> bytes:
        return (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
            f"\r\n\r\n{value}\r\n"
        ).encode()

    prefix = (
        part("csrfmiddlewaretoken", tipline.csrf_form)
        + part("what_happened", TEXT)
        + f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="token"\r\n\r\n'
    )
    suffix = (
        b"\r\n"
        + f'--{boundary}\r\nContent-Disposition: form-data; name="files";'
        f' filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        + photo
        + f"\r\n--{boundary}--\r\n".encode()
    )
    tokens = directory / "photo-tokens.txt"
    tokens.write_text("\n".join(tipline.tokens(count)) + "\n")
    (directory / "prefix.bin").write_bytes(prefix)
    (directory / "suffix.bin").write_bytes(suffix)
    return tokens, directory / "prefix.bin", directory / "suffix.bin"


def jpeg_of_about(size: int) -> bytes:
    """A phone-like photo: a smooth gradient with noise, with EXIF, about ``size``."""
    side = int((size / 0.45) ** 0.5)
    noise = Image.frombytes("L", (side, side), os.urandom(side * side))
    image = Image.merge("RGB", (noise, noise.rotate(90), noise.rotate(180)))
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def followup_bodies(tipline: Tipline, directory: Path, count: int) -> Path:
    session = requests.Session()
    receipts = []
    for _ in range(count):
        html = session.get(tipline.live.url + "/report/approach/").text
        sent = session.post(
            tipline.live.url + "/report/approach/",
            data={**form_tokens(html), "what_happened": "for follow-up"},
        )
        receipt = re.search(r'id="receipt"[^>]*>([\d ]+)<', sent.text)
        if receipt is None:
            raise LookupError("no receipt code on the page")
        receipts.append(receipt.group(1))
    path = directory / "followup-bodies.txt"
    path.write_text(
        "".join(
            urllib.parse.urlencode(
                {"csrfmiddlewaretoken": tipline.csrf_form, "receipt": receipt}
            )
            + "\n"
            for receipt in receipts
        )
    )
    return path


def baseline_request(url: str, directory: Path) -> tuple[Path, str]:
    """The baseline's form body (with its CSRF token) and cookie."""
    session = requests.Session()
    token = session.get(url + "/form/").text
    body = directory / "baseline-body.txt"
    body.write_text(
        urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "title": "report", "body": TEXT}
        )
        + "\n"
    )
    return body, f"csrftoken={session.cookies['csrftoken']}"


@contextlib.contextmanager
def baseline_server(database_url: str, threads: str) -> Iterator[str]:
    env = {
        **os.environ,
        "BASELINE_DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.baseline.settings",
    }
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, check=True
    )
    port = liveserver.free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "bench.baseline.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            WORKERS,
            "-k",
            "gthread",
            "--threads",
            threads,
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        liveserver.wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextlib.contextmanager
def databases(root: Path, name: str) -> Iterator[tuple[dict[str, str], str]]:
    """(Tipline settings, baseline database URL) for ``name``."""
    if name == "sqlite":
        yield {}, f"sqlite:///{root / 'baseline.sqlite3'}"
        return
    admin = os.environ["TIPLINE_TEST_POSTGRES"]  # set by scripts/test-postgres
    with (
        liveserver.postgres_database(admin) as tipline_url,
        liveserver.postgres_database(admin) as baseline_url,
    ):
        yield {"TIPLINE_DATABASE_URL": tipline_url}, baseline_url


def measure(name: str, root: Path) -> tuple[list[str], list[str]]:
    rows, notes = [], []
    with databases(root, name) as (settings, baseline_url):
        live = liveserver.prepare(
            root / "tipline",
            TIPLINE_WORKERS=WORKERS,
            TIPLINE_THREADS=threads_for(name),
            TIPLINE_PASSWORD=STAFF_PASSWORD,
            # This measures capacity: thousands of reports a minute are what the
            # flood circuit breaker exists to slow (tipline/intake/flood.py).
            TIPLINE_FLOOD_REPORTS_PER_MINUTE="100000000",
            **settings,
        )
        live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
        with (
            baseline_server(baseline_url, threads_for(name)) as baseline_url_http,
            liveserver.running(live),
        ):
            baseline_body, baseline_cookie = baseline_request(baseline_url_http, root)
            tipline = Tipline(live)
            for concurrency in CONCURRENCY:
                base = wrk(
                    baseline_url_http + "/insert/",
                    "/insert/",
                    baseline_body,
                    concurrency,
                    content_type="application/x-www-form-urlencoded",
                    cookie=baseline_cookie,
                    label=f"{name}: bare Django insert",
                )
                before = tipline.reports()
                bodies = text_bodies(tipline, root, BODIES)
                run = wrk(
                    live.url,
                    "/report/approach/",
                    bodies,
                    concurrency,
                    content_type="application/x-www-form-urlencoded",
                    cookie=tipline.cookie,
                    label=f"{name}: Tipline, 1 KB text",
                )
                stored = tipline.reports() - before
                rows += [base.row(), run.row(base)]
                print(rows[-2], rows[-1], sep="\n", flush=True)
                if stored < run.rps * SECONDS * 0.95:
                    notes.append(
                        f"{name} c={concurrency}: only {stored} reports stored"
                    )
            memory = ", ".join(
                f"{proc_status_kib(pid, 'VmHWM') / 1024:.0f} MiB"
                for pid in live.worker_pids()
            )
            notes.append(
                f"{name}: peak RSS of each web process after the text runs: {memory}"
            )
            for concurrency in CONCURRENCY if not os.environ.get("BENCH_QUICK") else []:
                tokens, prefix, suffix = photo_bodies(tipline, root, 4_000)
                run = wrk(
                    live.url,
                    "/report/approach/",
                    tokens,
                    concurrency,
                    content_type="multipart/form-data; boundary="
                    + prefix.read_bytes().split(b"\r\n")[0][2:].decode(),
                    cookie=tipline.cookie,
                    wrap=(prefix, suffix),
                    label=f"{name}: Tipline, 1 MB photo",
                )
                rows.append(run.row())
                print(rows[-1], flush=True)
            bodies = followup_bodies(tipline, root, 50)
            run = wrk(
                live.url,
                "/followup/",
                bodies,
                8,
                content_type="application/x-www-form-urlencoded",
                cookie=tipline.cookie,
                label=f"{name}: follow-up sign-in",
            )
            rows.append(run.row())
            print(rows[-1], flush=True)
    return rows, notes


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    names = ["sqlite"] + (
        ["postgres"] if os.environ.get("TIPLINE_TEST_POSTGRES") else []
    )
    rows, notes = [], []
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"tipline-bench-{name}-") as tmp:
            more_rows, more_notes = measure(name, Path(tmp))
            rows += more_rows
            notes += more_notes
    table = "\n".join(
        [
            f"wrk, {SECONDS} s per run, on the same 2-core machine as the server; "
            f"gunicorn with {WORKERS} workers x {threads_for('')} thread(s), as "
            "`tipline serve` runs by default, for both Tipline and the baseline; "
            "PostgreSQL runs on the same machine. Each Tipline request stores a "
            "real report (its own one-time token), sealed to one analyst and the "
            "escrow key, with its audit entry, its duplicate-detection fingerprint and "
            "its priority; the flood circuit breaker is set out of reach.",
            "",
            "| run | concurrency | requests/s | p50 ms | p99 ms | failed "
            "| of baseline |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            *[f"- {note}" for note in notes],
        ]
    )
    print(write_result("submissions", table))


if __name__ == "__main__":
    main()
