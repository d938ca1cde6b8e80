"""The two precisions of time in Tipline.

A time caused by a reporter's action (a report, a message, an upload) is kept
only to the hour, everywhere it is written: rows, audit entries, file times. The
exact second could be matched against network logs held elsewhere (a workplace
proxy, an ISP) to identify the reporter; the hour is enough for deadlines. Staff
actions keep exact times: they are accountable, and their order matters.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone


def coarse(at: datetime) -> datetime:
    """``at`` rounded down to the hour (in UTC, so every time zone agrees)."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def coarse_now() -> datetime:
    """Now, rounded down to the hour: for every time stored about a reporter's
    action."""
    return coarse(timezone.now())
