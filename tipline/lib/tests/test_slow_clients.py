"""Against a real server: slow request bodies cannot starve it (issue 12, point 2).

Many connections trickle their bodies (more than workers times threads), while honest
pages and a small report still answer at once, an upload as slow as Tor's still
succeeds, and every trickler is cut off with 408 Request Timeout.

These attack the receivers, which run before any application code and any
database, so they run once, on the default SQLite: the PostgreSQL pass of make
test runs only the tests that reach the database."""

from __future__ import annotations

import io
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from PIL import Image
from urllib3 import encode_multipart_formdata

from testkit import liveserver
from testkit.helpers import form_tokens, receipt_in
from tipline.intake.tests.test_disk_full import fill, small_disk

# Every test here starts a real server.
pytestmark = pytest.mark.live

GRACE = 6
ATTACKERS = 32
CATEGORY = "/report/approach/"
# How each kind of trickler paces itself: seconds between bytes (None: it sends
# its headers and then nothing at all).
PACES = [2.0, 0.5, 0.05, None]


class Trickler:
    """A connection that declares a body and sends it far too slowly; it stops
    itself after ``limit`` seconds whatever happens."""

    def __init__(
        self, port: int, pace: float | None, limit: float, opening: bytes = b""
    ) -> None:
        self.pace, self.limit = pace, limit
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=limit)
        self.answer = b""
        self.answered_at: float | None = None
        self.closed = False
        self.sock.sendall(
            opening
            or (
                f"POST {CATEGORY} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 100000\r\n\r\n"
            ).encode()
        )

    def run(self, started: float) -> None:
        self.sock.setblocking(False)
        next_byte = time.monotonic()
        while time.monotonic() - started < self.limit:
            try:
                chunk = self.sock.recv(65536)
            except BlockingIOError:
                chunk = None
            except OSError:
                break
            if chunk:
                self.answer += chunk
                self.answered_at = self.answered_at or time.monotonic() - started
            elif chunk == b"":
                self.closed = True  # by the server, after its answer
                break
            if self.pace is not None and time.monotonic() >= next_byte:
                try:
                    self.sock.send(b"a")
                except OSError:
                    self.pace = None  # cut off: keep reading the answer
                next_byte += self.pace or 0
            time.sleep(0.02)
        self.sock.close()


class Paced:
    """An upload body sent at ``rate`` bytes a second, like a Tor circuit's (a
    plain object with a length and ``read``, which requests sends as it is)."""

    def __init__(self, body: bytes, rate: int) -> None:
        self.body, self.rate, self.sent = body, rate, 0
        self.started = time.monotonic()

    def __len__(self) -> int:
        return len(self.body)

    def read(self, size: int = -1) -> bytes:
        ahead = self.sent / self.rate - (time.monotonic() - self.started)
        if ahead > 0:
            time.sleep(ahead)
        chunk = self.body[self.sent : self.sent + min(2000, max(size, 1))]
        self.sent += len(chunk)
        return chunk


def noise_png(size: int) -> bytes:
    """A PNG of random pixels: it does not compress, so it stays about ``size``."""
    side = int((size / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def timed(call) -> tuple[float, requests.Response]:
    started = time.monotonic()
    response = call()
    return time.monotonic() - started, response


def test_slow_bodies_are_cut_off_while_honest_pages_and_tor_uploads_go_through(
    tmp_path,
):
    live = liveserver.prepare(tmp_path, TIPLINE_BODY_GRACE_SECONDS=str(GRACE))
    port = int(live.url.rsplit(":", 1)[1])
    photo = noise_png(200_000)
    with liveserver.running(live), ThreadPoolExecutor(ATTACKERS + 4) as pool:
        uploader = requests.Session()
        fields = form_tokens(uploader.get(live.url + CATEGORY, timeout=10).text)
        body, content_type = encode_multipart_formdata(
            {
                **fields,
                "what_happened": "Sent over a slow circuit, with a photo.",
                "files": ("photo.png", photo, "image/png"),
            }
        )
        limit = GRACE + 12
        tricklers = [
            Trickler(port, PACES[n % len(PACES)], limit) for n in range(ATTACKERS)
        ]
        started = time.monotonic()
        attacks = [pool.submit(trickler.run, started) for trickler in tricklers]
        time.sleep(1)  # every trickler now holds a connection mid-body
        upload = pool.submit(
            timed,
            lambda: uploader.post(
                live.url + CATEGORY,
                data=Paced(body, 20_000),
                headers={"Content-Type": content_type},
                timeout=60,
            ),
        )
        page_took, page = timed(lambda: requests.get(live.url + "/report/", timeout=30))
        reporter = requests.Session()
        tokens = form_tokens(reporter.get(live.url + CATEGORY, timeout=30).text)
        report_took, report = timed(
            lambda: reporter.post(
                live.url + CATEGORY,
                data={**tokens, "what_happened": "Sent while the site was attacked."},
                timeout=30,
            )
        )
        honest_done = time.monotonic() - started
        upload_took, uploaded = upload.result(timeout=60)
        for attack in attacks:
            attack.result(timeout=limit + 5)
        count = live.run(
            "manage",
            "shell",
            "-c",
            "from tipline.cases.models import Report; print(Report.objects.count())",
        ).stdout.split()[-1]

    print(
        f"page {page_took:.2f} s, report {report_took:.2f} s, "
        f"200 KB upload {upload_took:.1f} s, tricklers cut after "
        f"{sorted(t.answered_at or -1 for t in tricklers)[::8]} s"
    )
    # While every trickler was still connected, the site answered at once.
    assert honest_done < GRACE
    assert page.status_code == 200
    assert page_took < 3
    assert report.status_code == 200
    assert receipt_in(report.text)
    assert report_took < 3
    # The slow but steady upload took as long as its pace and went through whole.
    assert uploaded.status_code == 200
    assert receipt_in(uploaded.text)
    assert "photo.png" in uploaded.text
    assert upload_took > 9
    assert count == "2"
    # Every trickler was answered 408 once its grace was over, and no sooner.
    for trickler in tricklers:
        assert trickler.answer.startswith(b"HTTP/1.1 408 "), trickler.answer[:80]
        assert trickler.closed is True
        assert trickler.answer.endswith(
            b"\r\n\r\nThe request arrived too slowly and was stopped. Try again.\n"
        )
        assert GRACE <= trickler.answered_at < GRACE + 3


def test_a_burst_then_a_stall_is_cut_off_when_its_credit_runs_out(tmp_path):
    """The receiver reads in larger steps while bytes come fast; a client that
    sends a quick burst (so that a large read is waiting) and then stops is
    still cut off once the burst no longer covers the minimum rate, with one
    4 KiB step of allowance, as a trickler is. (The burst fills the steps of
    4, 8, 16 and 32 KiB exactly; bytes inside a step still being read are not
    counted yet, so a stall in the middle of one is cut sooner, never later.)"""
    rate, burst = 8192, 4096 * (1 + 2 + 4 + 8)
    live = liveserver.prepare(
        tmp_path,
        TIPLINE_BODY_GRACE_SECONDS="2",
        TIPLINE_BODY_MIN_BYTES_PER_SECOND=str(rate),
    )
    port = int(live.url.rsplit(":", 1)[1])
    opening = (
        f"POST {CATEGORY} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 1000000\r\n\r\n"
    ).encode() + b"a" * burst
    with liveserver.running(live):
        stalled = Trickler(port, None, limit=20, opening=opening)
        started = time.monotonic()
        stalled.run(started)

    expected = (burst + 4096) / rate  # 8 s
    assert stalled.answer.startswith(b"HTTP/1.1 408 "), stalled.answer[:80]
    assert stalled.closed is True
    assert expected - 0.5 <= stalled.answered_at < expected + 2.5


def test_a_body_declared_beyond_every_limit_is_refused_before_it_is_read(
    tmp_path,
):
    live = liveserver.prepare(tmp_path)
    port = int(live.url.rsplit(":", 1)[1])
    with liveserver.running(live):
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                f"POST {CATEGORY} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                # A refusal is in the client's language; odd cookies and
                # languages do not break it.
                "Accept-Language: zh-CN,zh;q=0.9,xx;q=0.1\r\n"
                'Cookie: django_language=zh-hans; b"roken=; x\r\n'
                f"Content-Length: {10**12}\r\n\r\nwhat=".encode()
            )
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        took = time.monotonic() - started

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith("\r\n\r\n请求过大，无法接收。\n".encode())
    assert took < 3  # and the server closed the connection, unread


PLAIN_503 = (
    "The server is out of storage space, so nothing was stored. Try again later.\n"
)


def post_evidence(base: str, text: str) -> requests.Response:
    """A report with a 2.8 MB file: a body too large for the 1 MiB that every
    body may take in memory."""
    reporter = requests.Session()
    data = form_tokens(reporter.get(base + CATEGORY).text)
    data["what_happened"] = text
    evidence = {"files": ("notes.txt", b"evidence line\n" * 200_000)}
    return reporter.post(base + CATEGORY, data=data, files=evidence)


def assert_form_came_back(response: requests.Response, text: str) -> None:
    assert response.status_code == 503
    assert "out of storage space" in response.text
    assert text in response.text  # the typed answers, in the form again


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small filesystem needs root")
def test_a_large_body_on_a_full_disk_gives_the_form_back_with_its_answers(
    tmp_path,
):
    """A body over 1 MiB is received into memory while the process's budget for
    such bodies allows, so on a full disk the form itself says the disk is full
    and keeps what was typed; the retry goes through once there is space."""
    with small_disk(tmp_path / "disk", "64m") as disk:
        live = liveserver.prepare(disk)
        with liveserver.running(live):
            filler = fill(disk)
            refused = post_evidence(live.url, "Sent while the disk is full.")
            again = post_evidence(live.url, "Sent again while it is full.")
            filler.unlink()
            retried = post_evidence(live.url, "Sent once there is space.")

    assert_form_came_back(refused, "Sent while the disk is full.")
    assert_form_came_back(again, "Sent again while it is full.")  # budget given back
    assert retried.status_code == 200
    assert receipt_in(retried.text)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small filesystem needs root")
def test_past_the_memory_budget_a_large_body_on_a_full_disk_is_refused_clearly(
    tmp_path,
):
    """Large bodies held in memory are bounded per process
    (TIPLINE_BODY_MEMORY_BYTES): while a slow upload holds the budget, the next
    large body goes to the encrypted spool, which the full disk refuses with a
    clear 503; when the slow upload is abandoned its share comes back."""
    with small_disk(tmp_path / "disk", "64m") as disk:
        live = liveserver.prepare(
            disk, TIPLINE_WORKERS="1", TIPLINE_BODY_MEMORY_BYTES=str(4 * 1024 * 1024)
        )
        with liveserver.running(live):
            port = int(live.url.rsplit(":", 1)[1])
            holder = socket.create_connection(("127.0.0.1", port), timeout=30)
            holder.sendall(
                (
                    f"POST {CATEGORY} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {3 * 1024 * 1024}\r\n\r\n"
                ).encode()
                + b"a" * 200_000  # far above the minimum rate for the test's length
            )
            time.sleep(1)
            filler = fill(disk)
            refused = post_evidence(live.url, "Sent while the budget is held.")
            holder.close()  # abandoned: the receiver ends it and gives its share back
            time.sleep(1)
            came_back = post_evidence(live.url, "Sent once the budget is free.")
            filler.unlink()
            retried = post_evidence(live.url, "Sent once there is space.")

    assert refused.status_code == 503
    assert refused.text == PLAIN_503
    assert_form_came_back(came_back, "Sent once the budget is free.")
    assert retried.status_code == 200
    assert receipt_in(retried.text)


def test_trickled_headers_are_cut_off_too(tmp_path):
    """More connections than receivers (12 over 2 processes x 4 here) trickle
    their headers: each is closed after the grace period, so an honest page
    queued behind them waits one grace period per wave (at worst three, when
    one process took all 12), not until they give up."""
    grace = 4
    live = liveserver.prepare(
        tmp_path,
        TIPLINE_RECEIVERS="4",
        TIPLINE_BODY_GRACE_SECONDS=str(grace),
    )
    port = int(live.url.rsplit(":", 1)[1])
    opening = b"GET /report/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    limit = 30
    with liveserver.running(live), ThreadPoolExecutor(16) as pool:
        requests.get(live.url + "/report/", timeout=10)
        tricklers = [Trickler(port, 0.5, limit, opening) for _ in range(12)]
        started = time.monotonic()
        attacks = [pool.submit(trickler.run, started) for trickler in tricklers]
        time.sleep(1)
        took, page = timed(lambda: requests.get(live.url + "/report/", timeout=30))
        for attack in attacks:
            attack.result(timeout=limit + 5)

    print(f"page {took:.2f} s")
    assert page.status_code == 200
    assert took < 3 * grace + 3
    for trickler in tricklers:
        assert trickler.closed is True
        assert trickler.answered_at is None  # closed without an answer
