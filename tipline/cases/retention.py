"""Retention: destroying cases whose time has come (crypto-shredding).

A closed case gets ``purge_after`` from its outcome: the retention period that
administrators set for that outcome (``RetentionPeriod``, edited on the retention
settings page), or the deployment's default. Changing a period moves the date of
every case already closed with that outcome. When that date has passed,
``purge_due`` deletes every sealed copy of the case's data key (to each staff
member, to the escrow key, to the reporter's receipt, and the keys of unscrubbed
originals), every ciphertext row and every evidence file, and the fingerprint
used to find duplicates. Only anonymous monthly counts remain
(CaseStatistic, and CaseTiming for how long cases took) and the audit log's
record that a purge happened.

Threat handled: a report kept longer than its purpose needs, read later by anyone
who obtains a staff member's password or the escrow key together with a copy of
the database. With no sealed key left anywhere, old copies of the ciphertext (a
backup, object storage versioning, a page the database has not reused) cannot be
decrypted either. SQLite overwrites deleted content (``secure_delete``) and its
write-ahead log is truncated after a purge; PostgreSQL tables are vacuumed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tipline.audit import services as audit
from tipline.cases import evidence
from tipline.cases.models import (
    Attachment,
    Case,
    CaseKey,
    CaseLink,
    CaseStatistic,
    CaseTiming,
    Message,
    Note,
    OriginalKey,
    Outcome,
    Redaction,
    Report,
    RetentionPeriod,
    Status,
    TimingKind,
)
from tipline.cases.statistics import month_of, whole_days
from tipline.triage import duplicates

if TYPE_CHECKING:
    from tipline.accounts.models import User

BATCH = 200
# Tables whose deleted rows held sealed keys, ciphertext or fingerprints
# (PostgreSQL VACUUM): every row this app stores about a report, and the band index
# triage keeps by case id.
SHREDDED_TABLES = (
    *(
        model._meta.db_table
        for model in (
            Case,
            CaseKey,
            Message,
            Note,
            Redaction,
            CaseLink,
            Report,
            Attachment,
            OriginalKey,
        )
    ),
    *duplicates.TABLES,
)


def default_days(outcome: str) -> int:
    """The deployment's period for ``outcome`` before an administrator sets one:
    six months for unfounded and knowingly false reports, five years otherwise."""
    if outcome in (Outcome.UNFOUNDED, Outcome.MALICIOUS):
        return settings.RETENTION_UNFOUNDED_DAYS
    return settings.RETENTION_CLOSED_DAYS


def periods() -> dict[str, int]:
    """Days each outcome is kept after closing, for every outcome."""
    chosen = dict(RetentionPeriod.objects.values_list("outcome", "days"))
    return {outcome: chosen.get(outcome, default_days(outcome)) for outcome in Outcome}


def retention_for(outcome: str) -> timedelta:
    """How long a case closed with ``outcome`` is kept."""
    row = RetentionPeriod.objects.filter(outcome=outcome).values_list("days").first()
    return timedelta(days=row[0] if row else default_days(outcome))


def newly_due(days: dict[str, int], *, now: datetime | None = None) -> int:
    """How many closed cases the next purge would destroy under ``days`` that it
    would keep under the current periods: what an administrator confirms first."""
    now = now or timezone.now()
    current = periods()
    return sum(
        Case.objects.filter(
            status=Status.CLOSED,
            outcome=outcome,
            closed_at__lte=now - timedelta(days=count),
        )
        .exclude(purge_after__lte=now)
        .count()
        for outcome, count in days.items()
        if count < current[outcome]
    )


@transaction.atomic
def set_periods(*, user: User, days: dict[str, int]) -> list[str]:
    """Store the periods that changed, move the deletion date of every case
    already closed with those outcomes, and audit each change. Returns the
    outcomes that changed."""
    current = periods()
    changed = [o for o, count in days.items() if count != current[o]]
    for outcome in changed:
        RetentionPeriod.objects.update_or_create(
            outcome=outcome, defaults={"days": days[outcome]}
        )
        moved = Case.objects.filter(status=Status.CLOSED, outcome=outcome).update(
            purge_after=F("closed_at") + timedelta(days=days[outcome])
        )
        audit.record(
            action="settings.retention",
            actor=user,
            target=f"outcome:{outcome}",
            detail={"from": current[outcome], "to": days[outcome], "cases": moved},
        )
    return changed


@dataclass(frozen=True)
class PurgeResult:
    cases: int
    files: int


def due_count(*, now: datetime | None = None) -> int:
    return Case.objects.filter(purge_after__lte=now or timezone.now()).count()


def purge_due(*, now: datetime | None = None) -> PurgeResult:
    """Destroy every case whose retention has ended. Safe to run at any time and
    from several workers: each batch is one transaction."""
    now = now or timezone.now()
    cases = files = 0
    while True:
        ids = list(
            Case.objects.filter(purge_after__lte=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            break
        blobs = _purge_batch(ids)
        # After the commit: a file is useless without the keys just deleted, and
        # one left behind by a crash here is removed by the orphan sweep.
        evidence.delete_blobs(blobs)
        cases += len(ids)
        files += len(blobs)
    if cases:
        _reclaim_deleted_space()
    return PurgeResult(cases=cases, files=files)


@transaction.atomic
def _purge_batch(ids: list[int]) -> list[str]:
    rows = list(
        Case.objects.filter(pk__in=ids)
        .select_for_update()
        .values_list(
            "pk",
            "report_id",
            "outcome",
            "report__received_at",
            "report__category__slug",
            "report__category__profile__slug",
            "channel",
        )
    )
    _keep_counts(rows)
    _keep_timings([pk for pk, *_ in rows])
    report_ids = [report_id for _, report_id, *_ in rows]
    blobs = [
        name
        for pair in Attachment.objects.filter(report_id__in=report_ids).values_list(
            "blob_name", "original_blob_name"
        )
        for name in pair
        if name
    ]
    # Cascades to sealed keys, messages, notes, redactions and links; then the
    # reports, with the reporter's sealed key and the files' rows and keys.
    case_ids = [pk for pk, *_ in rows]
    duplicates.forget(case_ids=case_ids)
    Case.objects.filter(pk__in=case_ids).delete()
    Report.objects.filter(pk__in=report_ids).delete()
    audit.record(
        action="retention.purge",
        actor=None,
        target="",
        detail={"cases": len(rows), "files": len(blobs)},
    )
    return blobs


def _keep_counts(rows: list[tuple[Any, ...]]) -> None:
    """Add the purged cases to the receipts counted by month, category and
    channel (and outcome)."""
    counts: Counter[tuple[object, ...]] = Counter(
        (month_of(received), profile, category, channel, outcome)
        for _, _, outcome, received, category, profile, channel in rows
    )
    for (month, profile, category, channel, outcome), count in counts.items():
        statistic, _ = CaseStatistic.objects.get_or_create(
            month=month,
            profile=profile,
            category=category,
            channel=channel,
            outcome=outcome,
        )
        CaseStatistic.objects.filter(pk=statistic.pk).update(count=F("count") + count)


def _keep_timings(ids: list[int]) -> None:
    """Add the purged cases to the histograms of days to acknowledge and to
    close, and to the outcomes by month closed, so the medians stay."""
    counts: Counter[tuple[Any, ...]] = Counter()
    for profile, outcome, created, acknowledged, closed in Case.objects.filter(
        pk__in=ids
    ).values_list(
        "report__category__profile__slug",
        "outcome",
        "created_at",
        "acknowledged_at",
        "closed_at",
    ):
        if acknowledged is not None:
            days = whole_days(created, acknowledged)
            month = month_of(acknowledged)
            counts[(month, profile, TimingKind.ACKNOWLEDGE, "", days)] += 1
        if closed is not None:
            month, days = month_of(closed), whole_days(created, closed)
            counts[(month, profile, TimingKind.CLOSE, outcome, days)] += 1
    for (month, profile, kind, outcome, days), count in counts.items():
        timing, _ = CaseTiming.objects.get_or_create(
            month=month, profile=profile, kind=kind, outcome=outcome, days=days
        )
        CaseTiming.objects.filter(pk=timing.pk).update(count=F("count") + count)


def _reclaim_deleted_space() -> None:
    """Make sure deleted rows do not linger in the database's own files. Neither
    step can run inside a transaction; the command and the task run outside one."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # secure_delete (set on every connection) zeroed the freed content;
            # the log's older frames still hold it until truncated.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            for table in SHREDDED_TABLES:
                cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
