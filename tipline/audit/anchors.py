"""Writing the audit chain head outside the database, signed, soon after each write.

Threat: someone who can write to the database deletes the newest entries and
rewinds the head row; the chain alone still verifies. A head copied elsewhere
(an anchor) shows the cut, provided the copy is (1) out of that person's reach
and (2) cannot be written by them.

(1) Every web process writes the head to ``TIPLINE_AUDIT_ANCHOR_SINK`` a moment
after each audited write (at most once per ``TIPLINE_AUDIT_ANCHOR_INTERVAL``
seconds per process, and once more when that pause ends, so the newest entry is
anchored within that time); the worker adds one hourly. The sink is syslog
(``syslog``, ``syslog:/path/to/socket`` or ``syslog:HOST:PORT``, for a collector
on another host) or a file opened append-only: a path outside the data
directory, on storage the web server cannot rewrite (``chattr +a``, a
write-once mount), or ``off``.

(2) Each line carries an HMAC of the head under ``TIPLINE_AUDIT_ANCHOR_KEY``, a
secret file the database and its backups never hold, so an invented or edited
line is refused by ``tipline audit verify --anchors-file``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import re
import socket
import threading
import time
from dataclasses import dataclass
from logging.handlers import SysLogHandler
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from tipline.audit.models import ChainHead

GENESIS = "0" * 64
MARK = "tipline-audit-anchor"
SIGNED = re.compile(rf"{MARK} (\S+) (\d+):([0-9a-f]{{64}}) ([0-9a-f]{{64}})\s*$")
UNSIGNED = re.compile(r"(?:^|\s)\d+:[0-9a-fA-F]{64}(?:\s|$)")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anchor:
    """A chain head written down elsewhere: after ``count`` entries the chain's
    hash was ``last_hash`` (at ``at``, when read from a signed line)."""

    count: int
    last_hash: str
    at: str = ""

    def __str__(self) -> str:
        return f"{self.count}:{self.last_hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        count, _, last_hash = text.strip().partition(":")
        if not count.isdigit() or not re.fullmatch(r"[0-9a-fA-F]{64}", last_hash):
            raise ValueError(f"not an audit anchor (COUNT:HASH): {text!r}")
        return cls(int(count), last_hash.lower())


class AnchorRefused(ValueError):
    """A line in an anchors file is not signed with the anchor key."""


def current_anchor() -> Anchor:
    head = ChainHead.objects.filter(pk=1).first()
    return Anchor(head.count, head.last_hash) if head else Anchor(0, GENESIS)


def signed_line(anchor: Anchor, at: str) -> str:
    body = f"{MARK} {at} {anchor}"
    return f"{body} {_mac(body)}"


def read_anchors(text: str) -> list[Anchor]:
    """The signed anchors in ``text`` (an anchors file, or a syslog export: other
    lines are skipped). A line that claims to be an anchor but whose signature
    does not match, or a bare ``COUNT:HASH`` line, raises AnchorRefused."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if MARK in line:
            found.append(_signed_anchor(line, number))
        elif UNSIGNED.search(line) and not line.lstrip().startswith("#"):
            raise AnchorRefused(
                f"line {number}: an anchor without a signature (forged, or written "
                "before anchors were signed; check such heads with --anchor)"
            )
    return found


def _signed_anchor(line: str, number: int) -> Anchor:
    match = SIGNED.search(line)
    if match is None:
        raise AnchorRefused(f"line {number}: a malformed anchor line")
    at, count, last_hash, mac = match.groups()
    body = f"{MARK} {at} {count}:{last_hash}"
    if not hmac.compare_digest(_mac(body), mac):
        raise AnchorRefused(
            f"line {number}: the signature does not match the anchor key "
            "(forged, or signed with another key)"
        )
    return Anchor(int(count), last_hash, at)


def _mac(body: str) -> str:
    key = settings.AUDIT_ANCHOR_KEY.encode()
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()


def sink_is_off_the_data_dir() -> bool:
    """Whether anchors go somewhere a copy of the data directory does not hold
    (syslog, or a file outside it); for ``tipline check``."""
    sink = settings.AUDIT_ANCHOR_SINK
    if sink == "off":
        return False
    if sink == "syslog" or sink.startswith("syslog:"):
        return True
    data_dir = Path(settings.DATA_DIR).resolve()
    return not Path(sink).resolve().is_relative_to(data_dir)


def write_anchor() -> Anchor | None:
    """Write the current head to the configured sink; None when the sink is off."""
    sink = settings.AUDIT_ANCHOR_SINK
    if sink == "off":
        return None
    anchor = current_anchor()
    line = signed_line(anchor, f"{timezone.now():%Y-%m-%dT%H:%M:%SZ}")
    if sink == "syslog" or sink.startswith("syslog:"):
        _to_syslog(sink.removeprefix("syslog").removeprefix(":"), line)
    else:
        _to_file(Path(sink), line)
    return anchor


def _to_file(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _to_syslog(address: str, line: str) -> None:
    target: str | tuple[str, int] = address or "/dev/log"
    kind = socket.SOCK_DGRAM
    if address and not address.startswith("/"):
        host, _, port = address.rpartition(":")
        target = (host, int(port))
    handler = SysLogHandler(target, SysLogHandler.LOG_AUTH, kind)
    handler.append_nul = False  # the line ends where its signature does
    handler.ident = "tipline: "  # journalctl -t tipline
    try:
        record = logging.LogRecord(MARK, logging.INFO, "", 0, line, None, None)
        handler.emit(record)
    finally:
        handler.close()


class Pacer:
    """Anchors after audited writes, at most once per interval in this process,
    plus one trailing write when the pause ends, so the newest entry is anchored
    within the interval even when no further write comes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._trailing: threading.Timer | None = None

    def after_write(self) -> None:
        if settings.AUDIT_ANCHOR_SINK == "off":
            return
        interval = settings.AUDIT_ANCHOR_INTERVAL
        with self._lock:
            wait = self._last + interval - time.monotonic()
            if wait > 0:
                if self._trailing is None:
                    self._trailing = threading.Timer(wait, self._trail)
                    self._trailing.daemon = True
                    self._trailing.start()
                return
            self._last = time.monotonic()
        _write_quietly()

    def _trail(self) -> None:
        with self._lock:
            self._trailing = None
            self._last = time.monotonic()
        try:
            _write_quietly()
        finally:
            connection.close()  # this thread's own connection


def _write_quietly() -> None:
    # The audited change is already committed: a sink that is down must not turn
    # it into an error page. The failure is logged for the operator instead.
    try:
        write_anchor()
    except (OSError, DatabaseError, ValueError) as exc:
        logger.warning("audit anchor not written: %s", exc.__class__.__name__)


@functools.cache
def pacer() -> Pacer:
    """This process's pacer (tests may reset it with ``pacer.cache_clear()``)."""
    return Pacer()
