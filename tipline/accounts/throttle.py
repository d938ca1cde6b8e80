"""Throttling staff sign-in without revealing which accounts exist.

Per account: after ``ACCOUNT_LIMIT`` failures within ``ACCOUNT_WINDOW`` the name is
refused until the oldest failure leaves the window. Globally: after
``GLOBAL_LIMIT`` failures within ``GLOBAL_WINDOW`` every sign-in is refused for the
rest of that minute, which caps password guessing spread over many names.

Both count the name as typed, existing or not, and refuse with the same message,
so the throttle cannot be used to learn whether an account exists. Counts live in
the database, so every web process sees the same ones. The trade-off, stated in
docs/security.md: whoever knows a staff name can keep that account locked out;
the global limit can lock everyone out for a minute at a time.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tipline.accounts.models import LoginFailure

ACCOUNT_LIMIT = 5
ACCOUNT_WINDOW = timedelta(minutes=15)
GLOBAL_LIMIT = 100
GLOBAL_WINDOW = timedelta(minutes=1)


def account_key(username: str) -> str:
    name = username.strip().casefold().encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode(), b"login-throttle:" + name, hashlib.sha256
    ).hexdigest()


def is_throttled(username: str) -> bool:
    now = timezone.now()
    if LoginFailure.objects.filter(at__gte=now - GLOBAL_WINDOW).count() >= GLOBAL_LIMIT:
        return True
    recent = LoginFailure.objects.filter(
        account=account_key(username), at__gte=now - ACCOUNT_WINDOW
    )
    return recent.count() >= ACCOUNT_LIMIT


def record_failure(username: str) -> None:
    now = timezone.now()
    LoginFailure.objects.create(account=account_key(username), at=now)
    LoginFailure.objects.filter(
        at__lt=now - max(ACCOUNT_WINDOW, GLOBAL_WINDOW)
    ).delete()


def clear_failures(username: str) -> None:
    """A successful sign-in starts the account's count afresh."""
    LoginFailure.objects.filter(account=account_key(username)).delete()
