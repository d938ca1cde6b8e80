"""Gunicorn's own log, with times kept to the hour."""

from __future__ import annotations

from gunicorn.glogging import Logger


class CoarseTimeLogger(Logger):
    """Gunicorn's logger, stamping its lines with the hour only.

    Gunicorn writes some lines because of a request (a malformed one, a worker
    stopped on a slow upload); stamped to the second, such a line would tell
    when a reporter was connected, as a row's exact time would
    (tipline.lib.clock). The access log stays off (tipline.cli).
    """

    datefmt = r"[%Y-%m-%d %H:00 %z]"
