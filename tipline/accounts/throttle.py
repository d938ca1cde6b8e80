"""Throttling staff sign-in without revealing which accounts exist.

Passwords, per name and per account: after ``ACCOUNT_LIMIT`` failures within
``ACCOUNT_WINDOW`` the name (and the account it signs in to) is refused until the
oldest failure leaves the window. The name is counted as Django compares it:
NFKC-normalised (``AuthenticationForm`` does that before looking the user up), and
case-folded on top, so look-alike spellings of one name (full-width letters,
ligatures, ``"\uff2fwner"``) share one budget instead of each getting a fresh one
(issue 12, point 3).

Codes, per account: after ``CODE_LIMIT`` wrong second-factor codes within
``CODE_WINDOW`` the account's code step is refused until a stated time. A right
password does not open a fresh budget: failures are cleared only when the whole
sign-in (password and, where required, the code) succeeds.

Globally: after ``GLOBAL_LIMIT`` failures within ``GLOBAL_WINDOW`` every sign-in is
refused for the rest of that minute, which caps guessing spread over many names.

Unknown names are counted the same way and refused with the same message, so the
throttle cannot be used to learn whether an account exists. Counts live in the
database, so every web process sees the same ones. The trade-off, stated in
docs/security.md: whoever knows a staff name can keep that account locked out;
the global limit can lock everyone out for a minute at a time.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from tipline.accounts.models import LoginFailure, User
from tipline.audit.models import AuditEvent

ACCOUNT_LIMIT = 5
ACCOUNT_WINDOW = timedelta(minutes=15)
CODE_LIMIT = 5
CODE_WINDOW = timedelta(minutes=15)
GLOBAL_LIMIT = 100
GLOBAL_WINDOW = timedelta(minutes=1)
PASSWORD = LoginFailure.Kind.PASSWORD
# The longest name the sign-in form accepts (after stripping and NFKC).
USERNAME_MAX_CHARS = 150
CODE = LoginFailure.Kind.CODE


def normalise(username: str) -> str:
    """The name as Django looks it up (NFKC, stripped), case-folded, and NFKC
    again because case folding can leave a string that is not in NFKC form."""
    name = unicodedata.normalize("NFKC", username.strip())
    return unicodedata.normalize("NFKC", name.casefold())


def account_key(username: str) -> str:
    name = normalise(username).encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode(), b"login-throttle:" + name, hashlib.sha256
    ).hexdigest()


def account_for(username: str) -> User | None:
    """The account a typed name signs in to, found as Django's login finds it."""
    name = unicodedata.normalize("NFKC", username.strip())
    if not name or len(name) > USERNAME_MAX_CHARS:
        return None  # the form refuses such a name before looking it up
    return User.objects.filter(username=name).first()


def is_throttled(username: str, user: User | None = None) -> bool:
    """Too many wrong passwords for this name or its account, or overall."""
    now = timezone.now()
    if LoginFailure.objects.filter(at__gte=now - GLOBAL_WINDOW).count() >= GLOBAL_LIMIT:
        return True
    return _recent(username, user or account_for(username)).count() >= ACCOUNT_LIMIT


def begin_attempt(username: str) -> LoginFailure | None:
    """Count a sign-in as failed *before* its password is checked, so attempts
    sent at once see each other (checking first and counting after the slow
    hash let a burst through whole); None when the budget is spent. The caller
    deletes the row if the password turns out right."""
    user = account_for(username)
    if is_throttled(username, user):
        return None
    failure = _record(username=username, user=user, kind=PASSWORD)
    if _recent(username, user).filter(pk__lte=failure.pk).count() > ACCOUNT_LIMIT:
        failure.delete()  # others of the same burst were counted first
        return None
    return failure


def _recent(username: str, user: User | None) -> QuerySet[LoginFailure]:
    same = Q(account=account_key(username))
    if user is not None:
        same |= Q(user=user)
    since = timezone.now() - ACCOUNT_WINDOW
    return LoginFailure.objects.filter(same, kind=PASSWORD, at__gte=since)


def record_failure(username: str, user: User | None = None) -> None:
    """A wrong password for ``username`` (and the account it names, if any)."""
    _record(username=username, user=user or account_for(username), kind=PASSWORD)


def codes_locked_until(user: User) -> datetime | None:
    """When ``user`` may try a code again, or None if codes are not locked."""
    recent = LoginFailure.objects.filter(
        user=user, kind=CODE, at__gte=timezone.now() - CODE_WINDOW
    ).order_by("-at")[:CODE_LIMIT]
    times = [failure.at for failure in recent]
    if len(times) < CODE_LIMIT:
        return None
    # Locked until the oldest of the last CODE_LIMIT failures leaves the window.
    return times[-1] + CODE_WINDOW


def record_code_failure(user: User) -> bool:
    """A wrong second-factor code; True when this failure locks the codes."""
    _record(username=user.username, user=user, kind=CODE)
    return codes_locked_until(user) is not None


def clear_failures(user: User) -> None:
    """The whole sign-in succeeded: the name's and the account's counts start
    afresh (both kinds)."""
    LoginFailure.objects.filter(
        Q(account=account_key(user.username)) | Q(user=user)
    ).delete()


def code_lockouts_since(since: datetime) -> int:
    """How many accounts had their codes locked since ``since`` (for the
    administrators' banner; the audit log names them: ``login.codes_locked``)."""
    return (
        AuditEvent.objects.filter(action="login.codes_locked", at__gte=since)
        .values("target")
        .distinct()
        .count()
    )


def _record(*, username: str, user: User | None, kind: str) -> LoginFailure:
    now = timezone.now()
    failure = LoginFailure.objects.create(
        account=account_key(username), user=user, kind=kind, at=now
    )
    oldest = now - max(ACCOUNT_WINDOW, CODE_WINDOW, GLOBAL_WINDOW)
    LoginFailure.objects.filter(at__lt=oldest).delete()
    return failure
