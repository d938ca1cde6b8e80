"""Against a real server with its clock moved: no finer time than the hour of a
reporter's action is left anywhere.

``tipline serve`` runs three times, each with its clock starting at a known
instant (tipline/intake/tests/frozen_clock.py): a reporter sends a report with
files, signs in to follow up and sends a message with a file (15:09:26.535897);
a staff member reads the case and replies (15:23:41); the reporter signs in again
and sends another message with a file (15:47:05), all on 2026-03-14, UTC. Then
the whole database (SQLite: the file with its -wal and -shm; PostgreSQL: every
column of every row as text, and the server's table and WAL files), the contents
and times of every file under the data directory's ``files/``, and the server's
output are searched for every form of a time (tipline/intake/tests/timescan.py)
inside the reporter's stretches of time, on the moved clock and on the real one.
The staff member's stretch is found, which shows the search can see a time.
"""

from __future__ import annotations

import os
import re
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import requests

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens, receipt_in
from tipline.intake.tests.samples import gps_jpeg
from tipline.intake.tests.test_at_rest import post_page_form, run_sql_checkpoint
from tipline.intake.tests.timescan import EPOCH_2000, Window, find_times

REPORTED = datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)
STAFF_REPLY = datetime(2026, 3, 14, 15, 23, 41, 271828, tzinfo=UTC)
REPORTER_AGAIN = datetime(2026, 3, 14, 15, 47, 5, 161803, tzinfo=UTC)
LAUNCHER = [sys.executable, "-m", "tipline.intake.tests.frozen_clock", "serve"]


@dataclass
class Phase:
    who: str
    at: datetime
    real_start: datetime
    real_end: datetime | None = None

    def windows(self) -> list[Window]:
        """The phase's stretch on the moved clock and on the real one (up to now
        while it runs), with two seconds to spare."""
        end = self.real_end or datetime.now(UTC)
        elapsed = end - self.real_start + timedelta(seconds=2)
        name = f"{self.who} from {self.at:%H:%M:%S}"
        return [
            Window(self.at, self.at + elapsed, f"{name} (moved clock)"),
            Window(
                self.real_start,
                self.real_start + elapsed,
                f"{name} (real clock)",
                bare_minutes=False,
            ),
        ]


class Journey:
    def __init__(self, live) -> None:
        self.live = live
        self.phases: list[Phase] = []

    def windows(self, who: str) -> list[Window]:
        return [w for p in self.phases if p.who == who for w in p.windows()]

    def start(self, at: datetime, who: str) -> None:
        """``tipline serve`` with its clock starting at ``at``."""
        live = self.live
        # Windows count from a whole second: start on a fresh one, so nothing done
        # before (the setup's own writes) falls into this one.
        time.sleep(1.01 - time.time() % 1)
        self.phases.append(Phase(who, at, datetime.now(UTC)))
        with live.output.open("ab") as sink:
            live.process = subprocess.Popen(
                LAUNCHER,
                env={**live.env, "FROZEN_AT": at.isoformat()},
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        port = int(live.url.rsplit(":", 1)[1])
        liveserver.wait_for_port(port, live.process, live.output)

    def stop(self) -> None:
        self.live.stop()
        if self.phases and self.phases[-1].real_end is None:
            self.phases[-1].real_end = datetime.now(UTC)


def photo(name):
    return (name, gps_jpeg(), "image/jpeg")


def sign_in(session, base, receipt):
    page = post_page_form(
        session, base, "/followup/", "/followup/", {"receipt": receipt}
    )
    assert page.status_code == 200
    return page


def send_message(session, base, receipt, body, files):
    page = sign_in(session, base, receipt)
    data = {**form_tokens(page.text), "receipt": receipt, "body": body}
    files = [("files", f) for f in files]
    response = session.post(base + "/followup/message/", data=data, files=files)
    assert response.status_code == 200, response.text[:1000]
    assert body in response.text


def report_with_files(session, base):
    html = session.get(base + "/report/approach/").text
    response = session.post(
        base + "/report/approach/",
        data={
            **form_tokens(html),
            "what_happened": "He photographed the gate.",
            "where": "Gate 2",
        },
        files=[
            ("files", photo("gate.jpg")),
            ("files", ("notes.txt", b"plate ABC 123\n" * 50, "text/plain")),
        ],
    )
    assert response.status_code == 200, response.text[:1000]
    return receipt_in(response.text)


def staff_reads_and_replies(base):
    staff = requests.Session()
    login = post_page_form(
        staff,
        base,
        "/staff/login/",
        "/staff/login/",
        {"username": "analyst", "password": PASSWORD},
    )
    assert login.url.endswith("/staff/"), login.text[:500]
    case_url = re.search(r'href="(/staff/cases/\d+/)"', login.text).group(1)
    reply = post_page_form(
        staff, base, case_url, case_url + "reply/", {"body": "Which gate exactly?"}
    )
    assert "Which gate exactly?" in reply.text


def malformed_request(live):
    """A request gunicorn itself answers and logs (a line with its own time)."""
    port = int(live.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /report/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 400")


# --- What is searched --------------------------------------------------------


def database_parts(live) -> dict[str, bytes]:
    """The whole database, as bytes, by where it came from."""
    url = live.env.get("TIPLINE_DATABASE_URL")
    if not url:
        base = live.data_dir / "tipline.sqlite3"
        paths = [base, *(base.with_name(base.name + s) for s in ("-wal", "-shm"))]
        return {str(p): p.read_bytes() for p in paths if p.exists()}
    parts = {"every row as text": postgres_rows_as_text(url)}
    run_sql_checkpoint()
    with psycopg.connect(url) as db:
        (oid,) = db.execute(
            "SELECT oid FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    # The instance's own table files (old row versions included), on disk.
    pg_data = Path(os.environ["TIPLINE_TEST_POSTGRES_DATA"])
    for path in (pg_data / "base" / str(oid)).rglob("*"):
        if path.is_file():
            parts[str(path)] = path.read_bytes()
    return parts


def postgres_rows_as_text(url: str) -> bytes:
    """Every column of every row of every table, cast to text, in UTC."""
    lines = []
    with psycopg.connect(url) as db:
        db.execute("SET TIME ZONE 'UTC'")
        tables = db.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            columns = db.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s",
                [table],
            ).fetchall()
            select = ", ".join(f'"{c}"::text' for (c,) in columns)
            for row in db.execute(f'SELECT {select} FROM "{table}"'):  # noqa: S608
                lines.append(f"{table}: " + " | ".join(str(v) for v in row))
    assert len(lines) > 20
    return "\n".join(lines).encode()


def file_store(live) -> tuple[dict[str, bytes], list[tuple[str, datetime]]]:
    """Contents of every file under ``files/``, and the modification and access
    times of it and of every folder. Read with O_NOATIME, so that this search
    does not itself stamp the access times a later search looks at."""
    contents, times = {}, []

    def visit(path: Path) -> None:
        stat = path.stat()
        for kind, value in (("mtime", stat.st_mtime), ("atime", stat.st_atime)):
            times.append((f"{path} {kind}", datetime.fromtimestamp(value, UTC)))
        flags = os.O_RDONLY | os.O_NOATIME
        if path.is_dir():
            descriptor = os.open(path, flags | os.O_DIRECTORY)
            try:
                names = sorted(entry.name for entry in os.scandir(descriptor))
            finally:
                os.close(descriptor)
            for name in names:
                visit(path / name)
            return
        descriptor = os.open(path, flags)
        with os.fdopen(descriptor, "rb") as handle:
            contents[str(path)] = handle.read()

    visit(live.data_dir / "files")
    return contents, times


def finer_times(live, windows: list[Window]) -> list[tuple[str, object]]:
    found = []
    sources = {**database_parts(live), "server output": live.output.read_bytes()}
    contents, times = file_store(live)
    sources.update(contents)
    for where, data in sources.items():
        found += [(where, hit) for hit in find_times(data, windows)]
    for where, at in times:
        if at != at.replace(minute=0, second=0, microsecond=0):
            found += [(where, w.name) for w in windows if w.holds(at)]
    return found


# --- The test ------------------------------------------------------------------


@pytest.mark.live
def test_a_reporter_journey_leaves_no_finer_time_than_the_hour(tmp_path, live_database):
    live = liveserver.prepare(tmp_path, TIPLINE_PASSWORD=PASSWORD, **live_database)
    live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
    # An administrator exists, as on any instance in use: otherwise each start
    # writes a fresh first-administrator link, stamped with the start's time.
    live.run("createuser", "admin", "--role", "administrator", "--team", "triage")
    journey = Journey(live)
    base = live.url
    reporter = requests.Session()
    try:
        journey.start(REPORTED, "reporter")
        receipt = report_with_files(reporter, base)
        send_message(reporter, base, receipt, "Gate 2, north side.", [photo("b.jpg")])
        malformed_request(live)
        # While the server runs: SQLite's WAL still holds the newest pages.
        after_report = finer_times(live, journey.windows("reporter"))
        journey.stop()
        journey.start(STAFF_REPLY, "staff")
        staff_reads_and_replies(base)
        journey.stop()
        journey.start(REPORTER_AGAIN, "reporter")
        send_message(reporter, base, receipt, "It was 9 pm.", [photo("c.jpg")])
        running = finer_times(live, journey.windows("reporter"))
        control = finer_times(live, journey.windows("staff"))
    finally:
        journey.stop()
    stopped = finer_times(live, journey.windows("reporter"))

    assert after_report == [], "\n".join(map(str, after_report))
    assert running == [], "\n".join(map(str, running))
    assert stopped == [], "\n".join(map(str, stopped))
    # Positive control: the staff member's exact time is there to be found, in
    # the database (the reply, the read, the sign-in), on the moved clock.
    assert any("2026-03-14 15:23:4" in hit.text for _, hit in control), control
    # Three uploads, stored (with their originals when the profile keeps them).
    blobs = [p for p in (live.data_dir / "files").rglob("*") if p.is_file()]
    assert len(blobs) >= 3


def test_the_search_sees_a_file_time_inside_a_window(tmp_path):
    """The file-time half of the search, shown to work on a file it must flag."""
    at = REPORTED + timedelta(seconds=3)
    probe = tmp_path / "var" / "files" / "evidence" / "ab" / "probe"
    probe.parent.mkdir(parents=True)
    probe.write_bytes(b"ciphertext")
    os.utime(probe, (at.timestamp(), at.timestamp()))
    live = liveserver.LiveTipline("", tmp_path / "var", tmp_path, tmp_path / "log", {})
    live.output.write_bytes(b"")
    live.data_dir.joinpath("tipline.sqlite3").write_bytes(b"")

    found = finer_times(live, [Window(REPORTED, at + timedelta(minutes=1), "reporter")])

    assert [where for where, _ in found] == [f"{probe} mtime", f"{probe} atime"]


SECONDS = REPORTED.timestamp()
EVERY_FORM = {
    "sqlite text": b"x\x002026-03-14 15:09:26.535897\x00",
    "iso with T": b'"2026-03-14T15:09:27.535Z"',
    "postgres text": b"2026-03-14 15:09:26.535897+00",
    "to the minute": b"2026-03-14 15:09",
    "eight hours later": b"2026-03-14 23:09:30+00",
    "compact": b"20260314T150926Z",
    "http date": b"Sat, 14 Mar 2026 15:09:26 GMT",
    "log date": b"[14/Mar/2026:15:09:27 +0000]",
    "bare minute": b"at 15:09 ok",
    "epoch seconds": str(int(SECONDS)).encode(),
    "epoch ms": str(int(SECONDS * 1000)).encode(),
    "epoch float": f"{SECONDS:.6f}".encode(),
    "int64 us LE": b"\x01" + struct.pack("<q", int(SECONDS * 1e6)) + b"\x02",
    "postgres binary": struct.pack(">q", int((SECONDS - EPOCH_2000) * 1e6)),
    "double LE": struct.pack("<d", SECONDS),
    "int64 s BE": struct.pack(">q", int(SECONDS)),
    "int64 ms LE": struct.pack("<q", int(SECONDS * 1000)),
}
NOT_FINER = {
    "the hour": b"2026-03-14 15:00:00",
    "the hour, iso": b"2026-03-14T15:00:00+00:00",
    "staff time": b"2026-03-14 15:23:41.271828",
    "inside a hex hash": b"deadbeef1773500966cafe",
    "a year away": str(int(SECONDS) - 3600 * 24 * 400).encode(),
    "the hour in binary": struct.pack("<q", int(SECONDS - 566.535897) * 1_000_000),
}


@pytest.mark.parametrize("form", EVERY_FORM)
def test_the_search_finds_every_form_of_a_time(form):
    window = Window(REPORTED, REPORTED + timedelta(seconds=20), "reporter")
    assert find_times(os.urandom(5000) + b"\n" + EVERY_FORM[form], [window]) != []


@pytest.mark.parametrize("form", NOT_FINER)
def test_the_search_passes_the_hour_and_other_times(form):
    window = Window(REPORTED, REPORTED + timedelta(seconds=20), "reporter")
    assert find_times(NOT_FINER[form], [window]) == []
