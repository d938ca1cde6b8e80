"""The public pages against a static file (issue 15, speed).

``tipline serve`` (gunicorn, 2 workers, as an operator runs it) on SQLite with a
few hundred reports and a year of reward figures, so that the statistics page
has something to count. wrk GETs, on the same machine, at one concurrency:

- ``/static/tipline/site.css``, served by the same server (whitenoise): the
  baseline, measured before and after each page, because the machine is shared
  and noisy; each page is compared with the mean of the two runs beside it;
- the home page, a category's report form and the statistics page.

Each page must reach at least 50% of the static file's requests per second.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.common import STAFF_PASSWORD, write_result
from bench.submissions import Tipline, report_text
from testkit import liveserver

HERE = Path(__file__).resolve().parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "7"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
REPORTS = int(os.environ.get("BENCH_REPORTS", "300"))
FLOOR = 0.5
STATIC = "/static/tipline/site.css"
PAGES = [
    ("home page", "/"),
    ("report form", "/report/approach/"),
    ("statistics", "/statistics/"),
]
# Reward figures of last year: enough of each that none is withheld
# (STATISTICS_MIN_COUNT, 5 by default).
REWARDS = """
from datetime import UTC, date, datetime, timedelta
from tipline.rewards import services
from tipline.rewards.models import Offer, OfferStatus, Proposal, ProposalStatus, Share
year = datetime.now(UTC).year - 1
at = datetime(year, 6, 1, 12, tzinfo=UTC)
policy = services.policy_for("national-security")
for slug, amount, status, count in (
    ("grade-1", 100_000, OfferStatus.PAID, 12),
    ("commendation", 0, OfferStatus.ACCEPTED, 7),
):
    tier = policy.tiers.get(slug=slug)
    for _ in range(count):
        proposal = Proposal.objects.create(
            policy=policy, tier=tier, amount=amount, currency=tier.currency,
            justification_encrypted=b"", proposed_at=at,
            status=ProposalStatus.APPROVED, decided_at=at, year=year)
        Offer.objects.create(
            share=Share.objects.create(proposal=proposal, amount=amount),
            amount=amount, currency=tier.currency, status=status, offered_at=at,
            answer_by=at + timedelta(days=60), answered_at=at,
            paid_at=date(year, 7, 1) if status == OfferStatus.PAID else None)
"""


@dataclass
class Run:
    label: str
    path: str
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int
    kib: float

    def row(self, baseline: float | None = None) -> str:
        ratio = verdict = ""
        if baseline:
            share = self.rps / baseline
            ratio = f"{share:.0%}"
            verdict = "pass" if share >= FLOOR else "FAIL"
        return (
            f"| {self.label} | `{self.path}` | {self.kib:.1f} | {self.rps:.0f} | "
            f"{self.p50_ms:.1f} | {self.p99_ms:.1f} | {self.failures} | {ratio} | "
            f"{verdict} |"
        )


def wrk(base: str, label: str, path: str) -> Run:
    kib = len(requests.get(base + path, timeout=30).content) / 1024
    threads = min(2, CONCURRENCY)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{CONCURRENCY}",
            f"-d{SECONDS}s",
            "--timeout",
            "30s",
            "-s",
            str(HERE / "wrk_get.lua"),
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    seconds = summary["duration_us"] / 1e6
    failures = summary["socket_errors"] + summary["status_errors"] + summary["timeouts"]
    return Run(
        label,
        path,
        summary["requests"] / seconds,
        summary["p50_us"] / 1000,
        summary["p99_us"] / 1000,
        failures,
        kib,
    )


def fill(live: liveserver.LiveTipline) -> int:
    """REPORTS reports through the form, as reporters send them, and the reward
    figures; the number of reports stored."""
    tipline = Tipline(live)
    rng = random.Random(REPORTS)
    bodies = [
        {
            "csrfmiddlewaretoken": tipline.csrf_form,
            "token": token,
            "what_happened": report_text(rng),
            "where": "Research park, gate B",
        }
        for token in tipline.tokens(REPORTS)
    ]

    def send(body: dict[str, str]) -> int:
        return requests.post(
            live.url + "/report/approach/",
            data=body,
            headers={"Cookie": tipline.cookie},
            allow_redirects=False,
            timeout=60,
        ).status_code

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(send, bodies))
    assert statuses.count(303) == REPORTS, sorted(set(statuses))
    live.run("manage", "shell", "-c", REWARDS)
    return tipline.reports()


def measure(root: Path) -> tuple[list[str], list[str]]:
    live = liveserver.prepare(
        root / "tipline",
        TIPLINE_WORKERS=WORKERS,
        TIPLINE_PASSWORD=STAFF_PASSWORD,
        TIPLINE_FLOOD_REPORTS_PER_MINUTE="100000000",
    )
    with liveserver.running(live):
        stored = fill(live)
        # The static file before and after each page: the machine is shared, so
        # each page is compared with the baseline of its own moment.
        statics = [wrk(live.url, "static file", STATIC)]
        pages = []
        for label, path in PAGES:
            pages.append(wrk(live.url, label, path))
            statics.append(wrk(live.url, "static file", STATIC))
    rows, failing = [statics[0].row()], []
    for at, page in enumerate(pages):
        baseline = (statics[at].rps + statics[at + 1].rps) / 2
        rows += [page.row(baseline), statics[at + 1].row()]
        if page.rps < FLOOR * baseline:
            failing.append(page.label)
    spread = max(s.rps for s in statics) / min(s.rps for s in statics)
    notes = [
        f"{stored} reports stored before measuring; reward figures for last year.",
        f"The static file's fastest run was {spread:.1f} times its slowest (the "
        "machine's noise during this run).",
        "Every page at least 50% of the static file: "
        + ("yes" if not failing else "NO: " + ", ".join(failing)),
    ]
    return rows, notes


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="tipline-bench-pages-") as tmp:
        rows, notes = measure(Path(tmp))
    for row in rows:
        print(row)
    table = "\n".join(
        [
            f"wrk, {SECONDS} s per run, {CONCURRENCY} connections, on the same 2-core "
            f"machine as the server; gunicorn with {WORKERS} workers, as `tipline "
            "serve` runs by default, SQLite. GETs without cookies (a first visit). "
            "The share is each page's requests/s over the mean of the static file's "
            "runs just before and after it; the floor is 50%.",
            "",
            "| run | path | KiB | requests/s | p50 ms | p99 ms | failed | of static "
            "| ≥ 50% |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            *[f"- {note}" for note in notes],
        ]
    )
    print(write_result("public_pages", table))


if __name__ == "__main__":
    main()
