"""The append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from tipline.audit.models import AuditEvent, ChainHead

if TYPE_CHECKING:
    from tipline.accounts.models import User

GENESIS = "0" * 64


@transaction.atomic
def record(
    *,
    action: str,
    actor: User | None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event, chained to the previous one.

    Runs inside the caller's transaction, so the event is stored exactly when the
    change it describes is. The chain head row is locked for the append, so
    concurrent writers (several web processes on PostgreSQL) cannot fork the chain.
    """
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        target=target,
        detail=detail or {},
        prev_hash=head.last_hash,
    )
    event.entry_hash = entry_hash(event)
    event.save()
    head.last_hash = event.entry_hash
    head.count += 1
    head.save(update_fields=["last_hash", "count"])
    return event


def entry_hash(event: AuditEvent) -> str:
    body = json.dumps(
        [
            _timestamp(event.at),
            event.actor_name,
            event.action,
            event.target,
            event.detail,
            event.prev_hash,
        ],
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None
    reason: str


def verify_chain() -> ChainProblem | None:
    """Walk the log from the start; return the first broken link, or None."""
    prev = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainProblem(event.pk, "a previous entry was removed or inserted")
        if entry_hash(event) != event.entry_hash:
            return ChainProblem(event.pk, "the entry was altered")
        prev = event.entry_hash
        count += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != count):
        return ChainProblem(None, "entries at the end of the log were removed")
    return None


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")
