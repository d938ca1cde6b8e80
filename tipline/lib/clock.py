from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def coarse_now() -> datetime:
    """Now, rounded down to the hour.

    Used for every time stored about a reporter's action. The exact second of a
    submission could be matched against network logs held elsewhere (a workplace
    proxy, an ISP) to identify the reporter; the hour is enough for deadlines.
    """
    return timezone.now().replace(minute=0, second=0, microsecond=0)
