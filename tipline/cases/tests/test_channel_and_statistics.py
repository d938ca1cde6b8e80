"""The channel a report came through, and what retention keeps of a purged
case for the statistics page (issue 15, point 6): counts by month, category,
channel and outcome, and histograms of the whole days it took."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tipline.cases.models import Case, CaseStatistic, CaseTiming, Channel, Report
from tipline.cases.retention import purge_due
from tipline.cases.statistics import ended_months, month_of, whole_days
from tipline.outreach.tests.stats_world import at, handled

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def test_a_purge_keeps_counts_by_channel_and_the_days_taken(profile, owner):
    handled(
        at(2025, 3, 30),
        owner,
        acknowledged_after=2 * DAY,
        closed_after=40 * DAY,
        outcome="referred",
        channel=Channel.APP,
    )
    handled(
        at(2025, 3, 4),
        owner,
        closed_after=3 * DAY,
        outcome="unfounded",
        category="cyber",
    )

    assert purge_due(now=datetime(2040, 1, 1, tzinfo=UTC)).cases == 2

    assert Case.objects.count() == 0
    assert Report.objects.count() == 0
    assert set(
        CaseStatistic.objects.values_list(
            "month", "category", "channel", "outcome", "count"
        )
    ) == {
        (date(2025, 3, 1), "approach", "app", "referred", 1),
        (date(2025, 3, 1), "cyber", "web", "unfounded", 1),
    }
    assert set(
        CaseTiming.objects.values_list("month", "kind", "outcome", "days", "count")
    ) == {
        (date(2025, 4, 1), "acknowledge", "", 2, 1),
        (date(2025, 5, 1), "close", "referred", 40, 1),
        # Closing a case not yet acknowledged acknowledges it too.
        (date(2025, 3, 1), "acknowledge", "", 3, 1),
        (date(2025, 3, 1), "close", "unfounded", 3, 1),
    }


def test_a_second_purge_adds_to_the_same_rows(profile, owner):
    for _ in range(2):
        handled(at(2025, 3, 4), owner, closed_after=3 * DAY, outcome="unfounded")
        purge_due(now=datetime(2040, 1, 1, tzinfo=UTC))

    assert CaseStatistic.objects.get().count == 2
    assert sorted(CaseTiming.objects.values_list("kind", "count")) == [
        ("acknowledge", 2),
        ("close", 2),
    ]


def test_new_cases_come_through_the_web_form_unless_told(profile, owner):
    case = handled(at(2025, 3, 4), owner)

    assert case.channel == Channel.WEB


def test_months_are_utc_calendar_months_and_days_are_whole():
    assert month_of(datetime(2026, 1, 31, 23, 59, tzinfo=UTC)) == date(2026, 1, 1)
    assert whole_days(at(2026, 1, 1), at(2026, 1, 2) - timedelta(seconds=1)) == 0
    assert whole_days(at(2026, 1, 2), at(2026, 1, 1)) == 0  # never negative
    assert ended_months(datetime(2026, 1, 1, tzinfo=UTC))[-1] == date(2025, 12, 1)
    assert len(ended_months(datetime(2026, 1, 1, tzinfo=UTC))) == 12
