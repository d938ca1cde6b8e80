"""/statistics/: reports per month, by category and channel, outcomes and
median days, over cases made through the real services (issue 15, point 6).

The page is read as a reader would: its tables parsed, then the subtraction a
reader would try (the month's total minus the categories shown) done on the
page AND on the CSV. The clock is fixed at NOW, so the months published are
March 2025 to February 2026.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client, override_settings

from tipline.cases.models import Case, CaseStatistic, CaseTiming, Channel, Report
from tipline.cases.retention import purge_due
from tipline.outreach.tests.stats_world import at, handled, report

pytestmark = pytest.mark.django_db

PAGE = "/statistics/"
NOW = datetime(2026, 3, 15, 9, tzinfo=UTC)
FEB = "February 2026"
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def now():
    # Ticking: the report form refuses a form sent in the second it was shown.
    with time_machine.travel(NOW, tick=True):
        yield


def main_of(response):
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<main id="main">') : html.index("</main>")]


def tables(client, headers=None):
    """Every statistics table as {slug: {row heading: {column: text}}}."""
    soup = BeautifulSoup(main_of(client.get(PAGE, headers=headers)), "html.parser")
    found = {}
    for section in soup.select("section.stats"):
        table = section.find("table")
        heads = [th.get_text(strip=True) for th in table.thead.find_all("th")][1:]
        rows = {}
        for tr in table.tbody.find_all("tr"):
            cells = [td.get_text(strip=True) for td in tr.find_all("td")]
            rows[tr.th.get_text(strip=True)] = dict(zip(heads, cells, strict=True))
        found[section["aria-labelledby"].removeprefix("t-")] = rows
    return found


def csv_of(client, slug, headers=None):
    response = client.get(f"/statistics/{slug}.csv", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def number(text):
    return int(text.replace(",", "")) if re.fullmatch(r"[0-9,]+", text) else None


def differencing(total, parts):
    """What a reader gets from the total minus every part shown, or None."""
    shown = [number(p) for p in parts]
    if number(total) is None:
        return None
    return number(total) - sum(v for v in shown if v is not None)


# --- Suppression, and trying to undo it ------------------------------------------


def two_approaches_in_february():
    for _ in range(2):
        report(at(2026, 2, 3), category="approach")
    for _ in range(6):
        report(at(2026, 2, 4), category="information")
    for _ in range(5):
        report(at(2026, 2, 5), category="cyber")
    report(at(2026, 2, 6), category="cyber", channel=Channel.APP)


def test_a_category_of_two_cannot_be_recovered_from_the_page(client, profile):
    two_approaches_in_february()

    found = tables(client)
    row = found["categories"][FEB]
    total = found["received"][FEB]["Reports"]

    assert total == "14"
    assert row["Suspicious approach or recruitment attempt"] == "fewer than 5"
    # 14 - 6 would give the 2 away; the next smallest is not shown as well.
    assert row["Attempt to obtain classified or sensitive information"] == "not shown"
    assert row["Cyber intrusion or suspicious software"] == "6"
    hidden = differencing(total, row.values())
    assert hidden == 8 != 2
    assert found["channels"][FEB] == {
        "Web form": "not shown",
        "App": "fewer than 5",
        "Phone": "0",
        "Post": "0",
        "In person": "0",
    }
    assert differencing(total, found["channels"][FEB].values()) == 14 != 1
    assert Case.objects.count() == 14


def test_the_csv_gives_nothing_more_than_the_page(client, profile):
    two_approaches_in_february()

    received = {row[0]: row[1:] for row in csv_of(client, "received")[1:]}
    categories = csv_of(client, "categories")
    channels = csv_of(client, "channels")

    assert received["2026-02"] == ["14"]
    february = dict(zip(categories[0][1:], categories[-1][1:], strict=True))
    assert categories[-1][0] == "2026-02"
    assert february["Suspicious approach or recruitment attempt"] == "fewer than 5"
    assert differencing("14", february.values()) == 8
    assert channels[-1] == ["2026-02", "not shown", "fewer than 5", "0", "0", "0"]
    # The total minus the channels shown leaves the two hidden ones together.
    assert differencing("14", channels[-1][1:]) == 14


def test_a_month_of_fewer_than_five_shows_no_breakdown(client, profile):
    for category in ("approach", "information", "cyber", "other"):
        report(at(2026, 1, 8), category=category)

    found = tables(client)

    assert found["received"]["January 2026"] == {"Reports": "fewer than 5"}
    assert set(found["categories"]["January 2026"].values()) == {"not shown"}
    assert set(found["channels"]["January 2026"].values()) == {"not shown"}


def test_worlds_that_differ_only_in_withheld_cells_show_the_same_page(client, profile):
    two_approaches_in_february()  # 2 approaches, 6 on information
    seen = main_of(client.get(PAGE))
    Case.objects.all().delete()
    Report.objects.all().delete()
    cache.clear()
    for _ in range(3):
        report(at(2026, 2, 3), category="approach")
    for _ in range(5):
        report(at(2026, 2, 4), category="information")
    for _ in range(5):
        report(at(2026, 2, 5), category="cyber")
    report(at(2026, 2, 6), category="cyber", channel=Channel.APP)

    assert main_of(client.get(PAGE)) == seen
    assert {slug: csv_of(client, slug) for slug in ("categories", "channels")} == {
        "categories": csv_of(client, "categories"),
        "channels": csv_of(client, "channels"),
    }


def test_every_number_in_the_tables_is_shown_or_withheld_by_the_rule(client, profile):
    two_approaches_in_february()

    for slug, rows in tables(client).items():
        for values in rows.values():
            for text in values.values():
                assert re.fullmatch(r"[0-9,.]+|fewer than 5|not shown", text), (
                    slug,
                    text,
                )


@override_settings(STATISTICS_MIN_COUNT=1)
def test_the_threshold_is_the_setting(client, profile):
    two_approaches_in_february()

    row = tables(client)["categories"][FEB]

    assert row["Suspicious approach or recruitment attempt"] == "2"
    assert "fewer than" not in main_of(client.get(PAGE))


# --- What is counted -------------------------------------------------------------


def test_the_running_month_is_not_published(client, profile):
    report(at(2026, 2, 27))
    before = main_of(client.get(PAGE))
    report(at(2026, 3, 14))
    cache.clear()

    after = main_of(client.get(PAGE))

    assert after == before
    assert "March 2026" not in after
    assert "March 2025" in after  # the oldest of the 12 ended months
    assert "February 2025" not in after


def test_channels_are_counted_as_the_form_and_the_app_set_them(
    client, profile, owner, submit_report
):
    sent = submit_report({"what_happened": "Asked about the base."})
    assert "Your report has been received" in sent.content.decode()
    app = Client(enforce_csrf_checks=True)
    token = app.get("/api/v1/tokens").json()["report"]
    answers = json.dumps({"what_happened": "Asked for the site plans."})
    sent = app.post(
        "/api/v1/reports", {"category": "approach", "token": token, "answers": answers}
    )
    assert sent.status_code == 201

    assert sorted(Case.objects.values_list("channel", flat=True)) == ["app", "web"]


def test_outcomes_count_by_the_month_closed(client, profile, owner):
    for _ in range(5):
        handled(at(2025, 12, 1), owner, closed_after=40 * DAY, outcome="substantiated")
    handled(at(2026, 1, 2), owner, closed_after=3 * DAY, outcome="referred")

    row = tables(client)["outcomes"]["January 2026"]

    assert row["Substantiated"] == "5"
    assert row["Referred"] == "fewer than 5"
    assert row["Unfounded"] == "0"
    assert set(tables(client)["outcomes"]["December 2025"].values()) == {"0"}


def test_medians_count_whole_days_and_need_five_cases(client, profile, owner):
    for days in (1, 2, 2, 9, 20):
        handled(
            at(2026, 1, 5), owner, acknowledged_after=days * DAY + timedelta(hours=3)
        )
    for days in (1, 1):
        handled(at(2025, 11, 5), owner, acknowledged_after=days * DAY)

    found = tables(client)["acknowledge"]

    assert found["January 2026"] == {"Median days": "2.0"}
    assert found["November 2025"] == {"Median days": "not shown"}
    assert found["February 2026"] == {"Median days": "not shown"}


# --- Retention changes nothing ----------------------------------------------------


def test_a_purge_keeps_every_figure(client, profile, owner):
    for n in range(7):
        handled(
            at(2025, 6, 2 + n),
            owner,
            acknowledged_after=(n + 1) * DAY,
            closed_after=(10 + n) * DAY,
            outcome="unfounded" if n % 2 else "duplicate",
            category="approach" if n < 5 else "cyber",
            channel=Channel.APP if n == 3 else Channel.WEB,
        )
    before_page = main_of(client.get(PAGE))
    before_csv = {slug: csv_of(client, slug) for slug in ("categories", "close")}

    result = purge_due(now=NOW + timedelta(days=3650))
    cache.clear()

    assert result.cases == 7
    assert Case.objects.count() == 0
    assert CaseStatistic.objects.count() > 0
    assert CaseTiming.objects.count() > 0
    assert main_of(client.get(PAGE)) == before_page
    assert {slug: csv_of(client, slug) for slug in before_csv} == before_csv
    assert tables(client)["close"]["June 2025"] == {"Median days": "13.0"}


# --- The page and its files -------------------------------------------------------


def test_every_chart_says_what_it_shows(client, profile):
    two_approaches_in_february()
    soup = BeautifulSoup(main_of(client.get(PAGE)), "html.parser")

    charts = soup.select("svg.chart")
    assert len(charts) == 6
    for svg in charts:
        assert svg["role"] == "img"
        title_id, desc_id = svg["aria-labelledby"].split()
        assert svg.find(id=title_id).get_text()
        assert "The table below gives every figure." in svg.find(id=desc_id).get_text()
        assert svg.find_parent("section").find("table").caption.get_text()
    categories = soup.select_one('section[aria-labelledby="t-categories"] svg')
    withheld = [r for r in categories.find_all("rect") if "hatch" in r.get("fill", "")]
    assert {r.title.get_text() for r in withheld} == {
        f"{FEB}: fewer than 5",
        f"{FEB}: not shown",
    }
    assert len({r["height"] for r in withheld}) == 1  # whatever each hides
    html = main_of(client.get(PAGE))
    assert re.search(r"<script|style=", html) is None


def test_each_table_has_its_csv_with_headings_in_the_language(client, profile):
    two_approaches_in_february()
    soup = BeautifulSoup(main_of(client.get(PAGE)), "html.parser")
    links = [a["href"] for a in soup.find_all("a", string="Download CSV")]

    assert links[:6] == [
        f"/statistics/{slug}.csv"
        for slug in (
            "received",
            "categories",
            "channels",
            "outcomes",
            "acknowledge",
            "close",
        )
    ]
    response = client.get("/statistics/channels.csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="channels-to-2026-02.csv"'
    )
    assert csv_of(client, "channels")[0] == [
        "Month",
        "Web form",
        "App",
        "Phone",
        "Post",
        "In person",
    ]
    assert csv_of(client, "channels", {"accept-language": "zh-hans"})[0][0] == "月份"
    assert len(csv_of(client, "received")) == 13  # a header and 12 months


def test_the_page_in_chinese_names_months_and_figures_in_chinese(client, profile):
    two_approaches_in_february()

    found = tables(client, {"accept-language": "zh-hans"})

    february = found["channels"]["2026年2月"]
    assert list(february.values()) == ["不予显示", "少于 5", "0", "0", "0"]
    assert "2025年3月" in found["received"]
    assert csv_of(client, "channels", {"accept-language": "zh-hans"})[-1] == [
        "2026-02",
        "不予显示",
        "少于 5",
        "0",
        "0",
        "0",
    ]


def test_unknown_files_are_not_found_and_only_get_is_answered(client, profile):
    assert client.get("/statistics/secret.csv").status_code == 404
    assert client.get("/statistics/..%2Fsettings.csv").status_code == 404
    assert client.post(PAGE).status_code == 405
    assert client.post("/statistics/received.csv").status_code == 405


def test_the_figures_are_computed_once_a_month(
    client, profile, django_assert_max_num_queries
):
    two_approaches_in_february()
    first = main_of(client.get(PAGE))
    report(at(2026, 2, 10))  # a late change inside the cache's life is not seen

    # The active profile (the view's and the page texts') and the Site row's
    # version: no figure is computed again.
    with django_assert_max_num_queries(3):
        again = main_of(client.get(PAGE))

    assert again == first
