"""The public figures about reports (issue 15, point 6): per profile and
calendar month, counts and medians only, with small counts withheld.

What is counted, each by the month (UTC) it happened in:

- reports received (``Report.received_at``, already rounded to the hour), in
  all, by category and by channel;
- cases closed, by outcome (``Case.closed_at``);
- the median whole days from receipt to acknowledgement, by the month
  acknowledged, and from receipt to closing, by the month closed.

Live cases are counted together with what retention kept of destroyed ones
(``CaseStatistic`` for receipts, ``CaseTiming`` for closing and the days it
took), so a purge changes no published figure.

Protection of the people behind the figures:

- Every count goes through ``tipline.lib.disclosure.suppress`` with
  K = ``settings.STATISTICS_MIN_COUNT``: 1 to K-1 is "fewer than K", and the
  cells that would give one away through a month's total (received, by
  category and by channel are three views of the same reports) are withheld
  too. A median of fewer than K cases is withheld. Only withheld values leave
  this module, never a case or its id.
- No total across months is published, and none is returned: with one, a
  withheld month could be worked out by subtraction. Outcomes and medians
  count other events than receipts (a case closes months after it arrived),
  so they are not parts of the receipts and have no total either.
- Only months that have ended are returned, the last ``MONTHS``. A figure of
  the running month would move with each report, and someone watching the page
  would learn the hour and category of one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tipline.cases.models import (
    Case,
    CaseStatistic,
    CaseTiming,
    Channel,
    Outcome,
    Status,
    TimingKind,
)
from tipline.lib import disclosure
from tipline.lib.disclosure import Cell

__all__ = [
    "MONTHS",
    "CaseFigures",
    "Channel",
    "Median",
    "Outcome",
    "Row",
    "Table",
    "case_figures",
    "ended_months",
    "month_of",
    "whole_days",
]

MONTHS = 12
# Channel and Outcome are named here too: the public pages label the columns
# with them and import this module alone of cases (pyproject's contract).


@dataclass(frozen=True)
class Row:
    month: date
    cells: tuple[Cell, ...]  # in the order of the table's columns


@dataclass(frozen=True)
class Table:
    """A published table: one row per month, oldest first; ``columns`` are
    category slugs, channel or outcome values, or ``("total",)``."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Median:
    month: date
    days: float | None  # None: withheld (fewer than K cases behind it) or none


@dataclass(frozen=True)
class CaseFigures:
    profile_slug: str
    min_count: int
    months: tuple[date, ...]  # the first day of each month published, oldest first
    received: Table
    categories: Table
    channels: Table
    outcomes: Table
    acknowledge: tuple[Median, ...]
    close: tuple[Median, ...]


def month_of(moment: datetime) -> date:
    """The first day of the month (UTC) of ``moment``."""
    return moment.astimezone(UTC).date().replace(day=1)


def whole_days(start: datetime, end: datetime) -> int:
    """Whole days from ``start`` to ``end``, never below 0."""
    return max((end - start).days, 0)


def ended_months(now: datetime | None = None, count: int = MONTHS) -> list[date]:
    """The first days of the last ``count`` months that have ended, oldest first."""
    current = month_of(now or timezone.now())
    months = []
    year, month = current.year, current.month
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(date(year, month, 1))
    return months[::-1]


Key = tuple[str, date, str]  # (table, month, column)


def case_figures(
    *,
    profile_slug: str,
    categories: Iterable[str],
    min_count: int,
    now: datetime | None = None,
) -> CaseFigures:
    """The published figures of ``profile_slug`` for the last ``MONTHS`` ended
    months; ``categories`` are the profile's category slugs in the order to
    show them (others found in the counts follow). A fixed number of queries."""
    months = ended_months(now)
    window = (
        datetime(months[0].year, months[0].month, 1, tzinfo=UTC),
        _next_month(months[-1]),
    )
    received = _received(profile_slug, window)
    columns = {
        "total": ["total"],
        "category": list(dict.fromkeys(categories)),
        "channel": [str(channel) for channel in Channel],
        "outcome": [str(outcome) for outcome in Outcome],
    }
    found = {slug for _m, slug, _c in received}
    columns["category"] += sorted(found - set(columns["category"]))
    counts, sums = _receipts(received, months, columns)
    closed = _closed(profile_slug, window)
    for month in months:
        for outcome in columns["outcome"]:
            counts[("outcome", month, outcome)] = closed[(month, outcome)]
    cells = disclosure.suppress(counts, sums, min_count=min_count)

    def table(kind: str) -> Table:
        return Table(
            columns=tuple(columns[kind]),
            rows=tuple(
                Row(month, tuple(cells[(kind, month, c)] for c in columns[kind]))
                for month in months
            ),
        )

    acknowledged, took = _days(profile_slug, window)
    return CaseFigures(
        profile_slug=profile_slug,
        min_count=min_count,
        months=tuple(months),
        received=table("total"),
        categories=table("category"),
        channels=table("channel"),
        outcomes=table("outcome"),
        acknowledge=_medians(acknowledged, months, min_count),
        close=_medians(took, months, min_count),
    )


def _receipts(
    received: Counter[tuple[date, str, str]],
    months: list[date],
    columns: dict[str, list[str]],
) -> tuple[dict[Key, int], list[disclosure.Sum[Key]]]:
    """Each month's reports in all, by category and by channel, and the sums
    between them a reader knows: the month's total is both rows' sum."""
    counts: dict[Key, int] = {}
    sums: list[disclosure.Sum[Key]] = []
    for (month, slug, channel), n in received.items():
        for key in (("total", month, "total"), ("category", month, slug)):
            counts[key] = counts.get(key, 0) + n
        counts[("channel", month, channel)] = (
            counts.get(("channel", month, channel), 0) + n
        )
    for month in months:
        total = ("total", month, "total")
        for kind in ("total", "category", "channel"):
            for column in columns[kind]:
                counts.setdefault((kind, month, column), 0)
        for kind in ("category", "channel"):
            parts = tuple((kind, month, column) for column in columns[kind])
            sums.append(disclosure.Sum(total, parts))
    return counts, sums


def _medians(
    histograms: Histograms, months: list[date], min_count: int
) -> tuple[Median, ...]:
    return tuple(
        Median(m, disclosure.median(histograms[m], min_count=min_count)) for m in months
    )


def _next_month(month: date) -> datetime:
    if month.month == 12:
        return datetime(month.year + 1, 1, 1, tzinfo=UTC)
    return datetime(month.year, month.month + 1, 1, tzinfo=UTC)


def _as_month(value: date | datetime) -> date:
    return month_of(value) if isinstance(value, datetime) else value.replace(day=1)


def _received(
    profile_slug: str, window: tuple[datetime, datetime]
) -> Counter[tuple[date, str, str]]:
    """Reports received by (month, category, channel): live and purged."""
    found: Counter[tuple[date, str, str]] = Counter()
    live = (
        Case.objects.filter(
            report__category__profile__slug=profile_slug,
            report__received_at__gte=window[0],
            report__received_at__lt=window[1],
        )
        .annotate(m=TruncMonth("report__received_at", tzinfo=UTC))
        .values("m", "report__category__slug", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in live:
        key = (_as_month(row["m"]), row["report__category__slug"], row["channel"])
        found[key] += row["n"]
    kept = (
        CaseStatistic.objects.filter(
            profile=profile_slug,
            month__gte=window[0].date(),
            month__lt=window[1].date(),
        )
        .values("month", "category", "channel")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for row in kept:
        found[(_as_month(row["month"]), row["category"], row["channel"])] += row["n"]
    return found


def _closed(
    profile_slug: str, window: tuple[datetime, datetime]
) -> Counter[tuple[date, str]]:
    """Cases closed by (month closed, outcome): live and purged."""
    found: Counter[tuple[date, str]] = Counter()
    live = (
        Case.objects.filter(
            report__category__profile__slug=profile_slug,
            status=Status.CLOSED,
            closed_at__gte=window[0],
            closed_at__lt=window[1],
        )
        .annotate(m=TruncMonth("closed_at", tzinfo=UTC))
        .values("m", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in live:
        found[(_as_month(row["m"]), row["outcome"])] += row["n"]
    kept = (
        _kept(profile_slug, window)
        .filter(kind=TimingKind.CLOSE)
        .values("month", "outcome")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for row in kept:
        found[(_as_month(row["month"]), row["outcome"])] += row["n"]
    return found


def _kept(profile_slug: str, window: tuple[datetime, datetime]) -> QuerySet[CaseTiming]:
    return CaseTiming.objects.filter(
        profile=profile_slug, month__gte=window[0].date(), month__lt=window[1].date()
    )


Histograms = defaultdict[date, Counter[int]]


def _days(
    profile_slug: str, window: tuple[datetime, datetime]
) -> tuple[Histograms, Histograms]:
    """Whole days to acknowledge (by month acknowledged) and to close (by month
    closed), as {month: {days: cases}}: live and purged."""
    acknowledged: Histograms = defaultdict(Counter)
    took: Histograms = defaultdict(Counter)
    cases = Case.objects.filter(report__category__profile__slug=profile_slug)
    for created, at in cases.filter(
        acknowledged_at__gte=window[0], acknowledged_at__lt=window[1]
    ).values_list("created_at", "acknowledged_at"):
        if at is not None:
            acknowledged[month_of(at)][whole_days(created, at)] += 1
    for created, at in cases.filter(
        status=Status.CLOSED, closed_at__gte=window[0], closed_at__lt=window[1]
    ).values_list("created_at", "closed_at"):
        if at is not None:
            took[month_of(at)][whole_days(created, at)] += 1
    for kind, month, days, count in _kept(profile_slug, window).values_list(
        "kind", "month", "days", "count"
    ):
        target = acknowledged if kind == TimingKind.ACKNOWLEDGE else took
        target[_as_month(month)][days] += count
    return acknowledged, took
