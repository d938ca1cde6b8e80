"""Server-side state behind a reporter's browser handle (tipline.crypto.handles).

Each kind of handle has its own lifetime. ``open_handle`` returns the stored payload
while the handle is alive and None afterwards; expiry is checked against the exact
time inside the ciphertext, and the hourly sweep deletes rows past their coarse
purge hour, so nothing outlives its purpose by more than an hour.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from tipline import crypto
from tipline.intake.models import BrowserHandle


@dataclass(frozen=True)
class Kind:
    name: str
    # The setting holding the lifetime in seconds (read when used, not at import).
    lifetime_setting: str

    @property
    def lifetime(self) -> timedelta:
        return timedelta(seconds=getattr(settings, self.lifetime_setting))


def open_handle(secret: bytes, kind: Kind) -> dict[str, Any] | None:
    """The payload stored under ``secret`` for ``kind``, or None if there is none,
    it has expired, or it does not decrypt."""
    stored = _open(secret, kind)
    return None if stored is None else stored["payload"]


def open_handle_expiry(secret: bytes, kind: Kind) -> datetime | None:
    """When the handle expires, or None if it is not alive."""
    stored = _open(secret, kind)
    return None if stored is None else datetime.fromtimestamp(stored["expires"], UTC)


def _open(secret: bytes, kind: Kind) -> dict[str, Any] | None:
    keys = crypto.derive_handle_keys(secret, purpose=kind.name)
    row = BrowserHandle.objects.filter(lookup=keys.lookup).first()
    if row is None:
        return None
    try:
        plain = crypto.decrypt(keys.key, bytes(row.sealed), context=row.context())
    except crypto.DecryptionFailed:
        return None
    stored: dict[str, Any] = json.loads(plain)
    if stored["expires"] <= timezone.now().timestamp():
        row.delete()
        return None
    return stored


def save_handle(
    secret: bytes,
    kind: Kind,
    payload: dict[str, Any],
    *,
    expires: datetime | None = None,
) -> datetime:
    """Store ``payload`` under ``secret`` until ``expires`` (default: the kind's
    lifetime from now), replacing what was there. Returns the expiry."""
    expires = expires or timezone.now() + kind.lifetime
    keys = crypto.derive_handle_keys(secret, purpose=kind.name)
    row = BrowserHandle(lookup=keys.lookup, purge_after=_hour_after(expires))
    plain = json.dumps({"expires": expires.timestamp(), "payload": payload})
    row.sealed = crypto.encrypt(keys.key, plain.encode(), context=row.context())
    BrowserHandle.objects.update_or_create(
        lookup=keys.lookup,
        defaults={"sealed": row.sealed, "purge_after": row.purge_after},
    )
    return expires


def drop_handle(secret: bytes, kind: Kind) -> None:
    keys = crypto.derive_handle_keys(secret, purpose=kind.name)
    BrowserHandle.objects.filter(lookup=keys.lookup).delete()


def sweep_expired(*, now: datetime | None = None) -> int:
    """Delete every row past its purge hour; the count deleted."""
    deleted, _ = BrowserHandle.objects.filter(
        purge_after__lte=now or timezone.now()
    ).delete()
    return deleted


def _hour_after(moment: datetime) -> datetime:
    """The first whole hour after ``moment``: when the row may be deleted."""
    hours = math.floor(moment.timestamp() / 3600) + 1
    return datetime.fromtimestamp(hours * 3600, tz=UTC)
