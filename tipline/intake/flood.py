"""A circuit breaker for floods of reports that slows them rather than drops them.

Each web process counts the reports it stored in the current minute. Above
``FLOOD_REPORTS_PER_MINUTE`` it is under a flood, and for the rest of that minute
and the next a report form must have been open for ``FLOOD_MIN_FILL_SECONDS``
(instead of ``FORM_MIN_FILL_SECONDS``) before it is accepted. Nothing is dropped:
a form sent too soon is held with its answers and goes through when sent again.
A person writing a report takes longer than that anyway; a script that fetches
forms and posts them at once has to wait, which caps how fast it can store junk
without identifying anyone. Counts are per process (no shared state to attack or
to slow down), so the threshold is per web process.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache


def _key(minute: int) -> str:
    return f"tipline:flood:{minute}"


def record_report() -> None:
    minute = int(time.time() // 60)
    key = _key(minute)
    if cache.add(key, 1, timeout=180):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=180)


def under_flood() -> bool:
    minute = int(time.time() // 60)
    counts = cache.get_many([_key(minute), _key(minute - 1)])
    return max(counts.values(), default=0) > settings.FLOOD_REPORTS_PER_MINUTE


def minimum_fill_time() -> timedelta:
    seconds = settings.FORM_MIN_FILL_SECONDS
    if under_flood():
        seconds = max(seconds, settings.FLOOD_MIN_FILL_SECONDS)
    return timedelta(seconds=seconds)
