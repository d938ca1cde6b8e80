"""Logging that names no reporter: no client address, no requested path.

The threat: logs are copied, shipped and kept far longer and more loosely than the
database. A peer address beside a time identifies a reporter to anyone who also
holds network records, and a path such as ``/report/<category>/`` says what they
reported. So every record that passes through Tipline's handlers (Django's and
gunicorn's) is rewritten before it is written:

- any IPv4 or IPv6 address in the message or an exception's text becomes
  ``[address]``;
- for a record about a request (Django's ``django.request`` and ``django.security``
  loggers attach it), the path becomes the URL pattern that matched, e.g.
  ``report/<slug:category>/``, or ``[path]``; the traceback's frames stay, so a 500
  remains useful to an operator;
- gunicorn's "Invalid request from ip=...: <request line>" and "Error handling
  request <method> <uri>" keep only their first words.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import traceback

from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger

ADDRESS = "[address]"
PATH = "[path]"
# Candidates only; each is checked by ipaddress before it is hidden, so times such
# as 12:30:05 and version numbers such as 1.2.3 stay.
_ADDRESS_LIKE = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]+(?:%\w+)?")
# A path or URL in a message about a request (gunicorn has no request object).
_PATH_LIKE = re.compile(r"(?:[a-z][a-z0-9+.-]*://[^\s'\"]*|/[^\s'\"]*)", re.I)
_GUNICORN_REQUEST = re.compile(
    r"^(Invalid request|Error handling request|Error handling HTTP/2 request)\b"
)


def hide_addresses(text: str) -> str:
    """``text`` with every IPv4 and IPv6 address (with or without a port or a zone)
    replaced by ``[address]``."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        candidate = token.rstrip(".:")
        for address in (candidate, candidate.rsplit(":", 1)[0]):
            if _is_address(address):
                return token.replace(address, ADDRESS)
        return token

    return _ADDRESS_LIKE.sub(replace, text)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return True


class PrivacyFilter(logging.Filter):
    """Rewrite each record so it carries no client address and no request path."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        message = record.getMessage()
        paths: list[str] = []
        if request is not None:
            paths = _request_paths(request)
            for path in paths:
                message = message.replace(path, _route_of(request))
        elif record.name.startswith("gunicorn") and (
            start := _GUNICORN_REQUEST.match(message)
        ):
            message = start.group(1) + " (client and request not logged)"
        record.msg, record.args = hide_addresses(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _scrubbed_traceback(record.exc_info[1], paths)
            record.exc_info = None
        # Django attaches the request itself; a formatter must not reach it either.
        if request is not None:
            record.request = None
        return True


def _request_paths(request: object) -> list[str]:
    found = {getattr(request, "path", ""), getattr(request, "path_info", "")}
    full = getattr(request, "get_full_path", None)
    if callable(full):
        found.add(full())
    # Longest first, so a full path is replaced before the path inside it.
    return sorted((p for p in found if isinstance(p, str) and p), key=len)[::-1]


def _route_of(request: object) -> str:
    match = getattr(request, "resolver_match", None)
    return getattr(match, "route", None) or PATH


def _scrubbed_traceback(exc: BaseException, paths: list[str]) -> str:
    """The traceback's frames as they are; each exception's own text without any
    address or path (a Resolver404 or a parse error quotes what the client sent)."""
    lines = []
    for line in traceback.TracebackException.from_exception(exc).format():
        if line.startswith("  "):
            lines.append(line)
            continue
        for path in paths:
            line = line.replace(path, PATH)
        lines.append(hide_addresses(_PATH_LIKE.sub(PATH, line)))
    return "".join(lines).rstrip("\n")


class PrivateGunicornLogger(GunicornLogger):
    """Gunicorn's logger with :class:`PrivacyFilter` on its error log (gunicorn's
    own records do not propagate to Django's handlers), stamping its lines with the
    hour only.

    Gunicorn writes some lines because of a request (a malformed one, a worker
    stopped on a slow upload); stamped to the second, such a line would tell when a
    reporter was connected, as a row's exact time would (tipline.lib.clock).
    """

    datefmt = r"[%Y-%m-%d %H:00 %z]"

    def setup(self, cfg: Config) -> None:
        super().setup(cfg)
        if not any(isinstance(f, PrivacyFilter) for f in self.error_log.filters):
            self.error_log.addFilter(PrivacyFilter())
