"""A circuit breaker for floods of reports that slows them rather than drops them.

Each web process counts the reports it stored in the current minute. Above
``FLOOD_REPORTS_PER_MINUTE`` it is under a flood, and for the rest of that minute
and the next a report form must have been open for ``FLOOD_MIN_FILL_SECONDS``
(instead of ``FORM_MIN_FILL_SECONDS``) before it is accepted. Nothing is dropped:
a form sent too soon is held with its answers and goes through when sent again.
A person writing a report takes longer than that anyway; a script that fetches
forms and posts them at once has to wait, which caps how fast it can store junk
without identifying anyone. Counts are per process (no shared state to attack or
to slow down), so the threshold is per web process. Browsers with JavaScript can
skip the longer wait by paying in CPU instead (tipline.intake.proof).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from tipline.intake import proof as proof_of_work


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


def proof_bits() -> int:
    """Difficulty of the proof of work the report page asks for now: zero unless
    under a flood, and always zero when the operator turned proofs off."""
    if settings.PROOF_OF_WORK_BITS and under_flood():
        return settings.PROOF_OF_WORK_BITS
    return 0


def minimum_fill_time(*, token: str = "", proof: str = "") -> timedelta:
    """How long the form with ``token`` must have been open before it is accepted.

    During a flood, a form whose browser solved the proof of work for its token
    (tipline.intake.proof) is held only for the usual time; others wait longer.
    """
    seconds = settings.FORM_MIN_FILL_SECONDS
    if under_flood() and not proof_of_work.is_solved(
        token, proof, settings.PROOF_OF_WORK_BITS
    ):
        seconds = max(seconds, settings.FLOOD_MIN_FILL_SECONDS)
    return timedelta(seconds=seconds)
