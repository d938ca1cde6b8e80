"""Against a real server: its logs name no client and no reporter's path, and its
files are readable by their owner only (issue 11, point 8)."""

from __future__ import annotations

import socket
import stat
import time

import pytest
import requests

from testkit import liveserver
from testkit.helpers import form_tokens

# Every test here starts a real server.
pytestmark = pytest.mark.live

# A loopback address of its own, so any trace of the client in the logs is unique.
CLIENT = "127.0.0.23"
CATEGORY_PATH = "/report/approach/"


def send_raw(live, data: bytes) -> bytes:
    """Send ``data`` from CLIENT as it is, and return whatever the server answers."""
    port = int(live.url.rsplit(":", 1)[1])
    with socket.create_connection(
        ("127.0.0.1", port), timeout=10, source_address=(CLIENT, 0)
    ) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def request(method: str, path: str, *headers: str, body: bytes = b"") -> bytes:
    host = [] if any(h.startswith("Host:") for h in headers) else ["Host: 127.0.0.1"]
    lines = [f"{method} {path} HTTP/1.1", *host, *headers]
    lines += [f"X-Forwarded-For: {CLIENT}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


MALFORMED = {
    "broken request line": b"GET /report/approach/ HTTP/1.1 trailing\r\n\r\n",
    "request line of junk": b"\x16\x03\x01 /report/approach/\x00\r\n\r\n",
    "invalid method": request("G@T", CATEGORY_PATH),
    "lower-case method": request("get", CATEGORY_PATH),
    "invalid version": b"GET /report/approach/ HTTP/9\r\nHost: 127.0.0.1\r\n\r\n",
    "request line too long": request("GET", CATEGORY_PATH + "a" * 9000),
    "header too large": request("GET", CATEGORY_PATH, "X-Big: " + "b" * 9000),
    "too many headers": request(
        "GET", CATEGORY_PATH, *(f"X-H{n}: {n}" for n in range(120))
    ),
    "header name invalid": request("GET", CATEGORY_PATH, "Bad Name: x"),
    "bad chunk size": request(
        "POST", CATEGORY_PATH, "Transfer-Encoding: chunked", body=b"zz\r\nabc\r\n"
    ),
    "chunk without terminator": request(
        "POST", CATEGORY_PATH, "Transfer-Encoding: chunked", body=b"3\r\nabcXX"
    ),
    "unknown transfer coding": request(
        "POST", CATEGORY_PATH, "Transfer-Encoding: gzip, chunked", body=b"0\r\n\r\n"
    ),
}

CLIENT_ERRORS = {
    "unknown category": request("GET", "/report/no-such-category/"),
    "unknown page": request("GET", "/followup/approach/nothing/"),
    "form post without CSRF": request(
        "POST",
        CATEGORY_PATH,
        "Content-Type: application/x-www-form-urlencoded",
        "Content-Length: 9",
        body=b"where=sea",
    ),
    "unsafe method without CSRF": request("DELETE", CATEGORY_PATH),
    "unknown API path": request("GET", "/api/v1/report/approach/nothing"),
    "host not allowed": request("GET", CATEGORY_PATH, f"Host: {CLIENT}"),
}


def all_log_output(live) -> str:
    """The server's stdout and stderr and every log file in its data directory."""
    texts = [live.logs()]
    texts += [p.read_text(errors="replace") for p in live.data_dir.rglob("*.log")]
    return "\n".join(texts)


def test_logs_name_no_client_address_and_no_reporter_path(live_tipline):
    answers = {}
    for name, data in {**MALFORMED, **CLIENT_ERRORS}.items():
        answers[name] = send_raw(live_tipline, data)
    time.sleep(1)  # let the workers' log lines reach the file
    logs = all_log_output(live_tipline)

    for name, answer in answers.items():
        assert answer.startswith(b"HTTP/1.1 4") or answer.startswith(b"HTTP/1.1 5")
        assert b" 200 " not in answer.split(b"\r\n")[0], name
    assert CLIENT not in logs
    for needle in ["/report/", "approach", "no-such-category", "followup", "bbbb"]:
        assert needle not in logs, needle
    # Positive control: the server did log these requests, without the details.
    assert "Invalid request (client and request not logged)" in logs
    assert "Not Found: [path]" in logs
    assert "Forbidden (CSRF cookie not set.): report/<slug:slug>/" in logs
    assert "Invalid HTTP_HOST header: '[address]'" in logs


def test_the_data_directory_and_every_file_in_it_are_private(tmp_path, live_database):
    # Migrated in place: the modes of the files migrating creates are the point.
    live = liveserver.prepare_by_migrating(tmp_path, **live_database)
    with liveserver.running(live):
        session = requests.Session()
        html = session.get(live.url + CATEGORY_PATH).text
        sent = session.post(
            live.url + CATEGORY_PATH,
            data={**form_tokens(html), "what_happened": "a stranger asked questions"},
            files={"files": ("notes.txt", b"seen at the gate\n", "text/plain")},
        )
        assert sent.status_code == 200
        live.run("backup", str(live.data_dir / "backups" / "first"))
        live.run(
            "manage",
            "shell",
            "-c",
            "from tipline.audit.anchors import write_anchor; write_anchor()",
        )
        loose = {
            str(path.relative_to(tmp_path)): oct(stat.S_IMODE(path.stat().st_mode))
            for path in [live.data_dir, *live.data_dir.rglob("*")]
            if stat.S_IMODE(path.stat().st_mode) != (0o700 if path.is_dir() else 0o600)
        }
        names = {p.name for p in live.data_dir.rglob("*")}

    assert loose == {}
    expected = {"secrets", "escrow_private_key", "static", "audit-anchors.log"}
    expected |= {"backups", "manifest.json", "files"}
    if not live_database:
        expected |= {"tipline.sqlite3", "tipline.sqlite3-wal", "tipline.sqlite3-shm"}
    assert expected <= names, expected - names
