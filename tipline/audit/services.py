"""The append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from tipline.audit.anchors import GENESIS, Anchor, current_anchor, pacer
from tipline.audit.models import AuditEvent, ChainHead

if TYPE_CHECKING:
    # The audit log sits below accounts: it names its actor by Django's user
    # interface (settings.AUTH_USER_MODEL), never by the accounts app's model.
    from django.contrib.auth.base_user import AbstractBaseUser as User

__all__ = [
    "GENESIS",
    "Anchor",
    "ChainProblem",
    "current_anchor",
    "entry_hash",
    "record",
    "verify_chain",
]


# savepoint=False: the entry belongs to the caller's transaction; if either fails,
# both are rolled back.
@transaction.atomic(savepoint=False)
def record(
    *,
    action: str,
    actor: User | None,
    target: str = "",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event, chained to the previous one.

    ``at`` defaults to now; a reporter's action passes the coarse time its own
    rows carry (tipline.lib.clock), so the log keeps no finer time than they do.

    Runs inside the caller's transaction, so the event is stored exactly when the
    change it describes is. The chain head row is locked for the append, so
    concurrent writers (several web processes on PostgreSQL) cannot fork the chain.
    Called outside a transaction, it makes its own, so the lock is really held.

    Once the transaction commits, the new head is written outside the database
    (tipline.audit.anchors), paced so that this costs little.
    """
    transaction.on_commit(pacer().after_write)
    with transaction.atomic(savepoint=False):
        return _append(
            action=action,
            actor=actor,
            target=target,
            detail=detail,
            at=at or timezone.now(),
        )


def _append(
    *,
    action: str,
    actor: User | None,
    target: str,
    detail: dict[str, Any] | None,
    at: datetime,
) -> AuditEvent:
    previous, count = _lock_head()
    event = AuditEvent(
        at=at,
        actor_id=actor.pk if actor else None,
        actor_name=actor.get_username() if actor else "",
        action=action,
        target=target,
        detail=detail or {},
        prev_hash=previous,
    )
    event.entry_hash = entry_hash(event)
    event.save(force_insert=True)
    _move_head(event.entry_hash, count + 1)
    return event


def _lock_head() -> tuple[str, int]:
    """The chain head, locked until the transaction ends (created on first use).

    Plain SQL: every write in Tipline appends here, and the ORM's query building
    cost more than the rest of the append (bench/submissions.py).
    """
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash, count FROM {table} WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is None:
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        return head.last_hash, head.count
    return row[0], row[1]


def _move_head(last_hash: str, count: int) -> None:
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_hash = %s, count = %s WHERE id = 1",
            [last_hash, count],
        )


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


def verify_chain(anchors: Sequence[Anchor] = ()) -> ChainProblem | None:
    """Walk the log from the start; return the first broken link, or None.

    The chain alone shows edits by someone who cannot recompute hashes. Anchors,
    heads kept off the server (printed, mailed, in another system's log), also
    catch someone who rewrote the log and recomputed every hash after them.
    """
    prev = GENESIS
    count = 0
    expected: dict[int, str] = {}
    for anchor in anchors:
        if expected.setdefault(anchor.count, anchor.last_hash) != anchor.last_hash:
            return ChainProblem(None, f"two kept heads disagree at {anchor.count}")
    newest = max(anchors, key=lambda anchor: anchor.count, default=None)
    # The head of the empty log (a fresh installation's first hourly anchor) is
    # checked here; the walk below never reaches count 0 to check it off.
    if expected.pop(0, GENESIS) != GENESIS:
        return ChainProblem(None, "the anchor for an empty log is wrong")
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainProblem(event.pk, "a previous entry was removed or inserted")
        if entry_hash(event) != event.entry_hash:
            return ChainProblem(event.pk, "the entry was altered")
        prev = event.entry_hash
        count += 1
        if count in expected and expected.pop(count) != prev:
            return ChainProblem(
                event.pk, "the log differs from a head kept elsewhere (rewritten)"
            )
    if expected and newest is not None:
        written = f" written {newest.at}" if newest.at else ""
        return ChainProblem(
            None,
            "the log is shorter than a head kept elsewhere (entries removed): "
            f"it has {count} entries, the head{written} counts {newest.count}",
        )
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != count):
        return ChainProblem(None, "entries at the end of the log were removed")
    return None


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")
