"""Review of issue 12, point 2, against a real server: a client that never reads
its answers. docs/security.md named it ("a client that never reads its answer is
the same attack on the way out"), but nothing bounded it: a receiver blocked in
sending waited for as long as the client kept the connection open, so three
such connections took a process with two receivers down (the honest page timed
out after 20 s). Answers are now held to the same floor as bodies."""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

import pytest
import requests

from testkit import liveserver

RECEIVERS = 2
# One more connection than the one process has receivers.
READERS = RECEIVERS + 1
# Pipelined requests per connection: their answers (17 KB each) fill the socket
# buffers on both sides (a few MB on loopback), then the server's send blocks.
PIPELINED = 400
REQUEST = b"GET /api/v1/profile HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


# How long the server may take to cut every reader: each answer fills the buffers
# in about 5 s of CPU, and the third reader waits for a receiver the first two
# free (all three were cut within 13 s on the 2-core machine).
CUT_DEADLINE_SECONDS = 60
ESTABLISHED = "01"  # the state column of /proc/net/tcp


def server_sides_established(port: int, peers: set[int]) -> int:
    """How many of the server's connections on ``port`` from the local ports
    ``peers`` are still open both ways (the kernel's own view: the watchdog's
    shutdown moves a connection out of ESTABLISHED at once)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state = fields[1], fields[2], fields[3]
        local_port, remote_port = (
            int(a.rsplit(":", 1)[1], 16) for a in (local, remote)
        )
        if local_port == port and remote_port in peers and state == ESTABLISHED:
            count += 1
    return count


def never_reading(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small window, as a client that reads nothing soon advertises anyway.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    sock.sendall(REQUEST * PIPELINED)
    return sock


@pytest.mark.live
def test_clients_that_never_read_their_answers_cannot_hold_every_receiver(
    tmp_path,
):
    live = liveserver.prepare(
        tmp_path,
        TIPLINE_RECEIVERS=str(RECEIVERS),
        TIPLINE_WORKERS="1",
        TIPLINE_BODY_GRACE_SECONDS="4",
    )
    port = int(live.url.rsplit(":", 1)[1])
    with liveserver.running(live), contextlib.ExitStack() as held:
        assert requests.get(live.url + "/report/", timeout=10).status_code == 200
        readers = [never_reading(port) for _ in range(READERS)]
        for reader in readers:
            held.callback(reader.close)
        # Until the server has cut every reader (their answers filled the
        # buffers and the watchdog acted on the stopped sends), or a generous
        # deadline: without the watchdog the page below still times out.
        peers = {reader.getsockname()[1] for reader in readers}
        deadline = time.monotonic() + CUT_DEADLINE_SECONDS
        while server_sides_established(port, peers) and time.monotonic() < deadline:
            time.sleep(0.2)

        started = time.monotonic()
        try:
            page = requests.get(live.url + "/report/", timeout=20)
        except requests.Timeout:
            page = None
        took = time.monotonic() - started

    print(f"honest page after {took:.1f} s")
    assert page is not None
    assert page.status_code == 200
    assert took < 10
