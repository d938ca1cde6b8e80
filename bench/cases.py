"""The staff inbox at 100,000 cases (issue 5).

A fresh SQLite database (the embedded default) in a temporary directory is filled
with 100,000 cases of one team, all readable by one analyst, with varied statuses,
priorities, deadlines, assignees, categories and linked groups. Then, for the
inbox's common filters and sorts, it times what one inbox page costs: the page's
ids, their count and the page's rows (the view's three queries), median and p99
of 30; and the whole page rendered through Django (signed in, as a browser gets
it). The baseline, measured in the same run, is the cheapest possible page: the
newest 50 case ids by primary key and a plain count.
"""

from __future__ import annotations

import functools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta

os.environ["TIPLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="tipline-bench-cases-")
os.environ["DJANGO_SETTINGS_MODULE"] = "tipline.settings_test"
os.environ.pop("TIPLINE_TEST_POSTGRES", None)

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.common import STAFF_PASSWORD as PASSWORD
from bench.common import form_tokens, write_result
from tipline.accounts import services as accounts
from tipline.accounts.models import Role, User
from tipline.cases.models import Case, CaseKey, Outcome, Report, Status
from tipline.cases.selectors import InboxFilters, inbox_page
from tipline.profiles.loader import load_profile
from tipline.profiles.models import Category

CASES = 100_000
BATCH = 5_000
REPEAT = 20
PAGE = 50

FILTERS = [
    ("open cases, newest first (default)", InboxFilters()),
    ("all cases, highest priority", InboxFilters(status="all", sort="priority")),
    ("overdue, due soonest", InboxFilters(due="overdue", sort="due")),
    ("assigned to me", InboxFilters(assignee="me")),
    ("one category, under review", InboxFilters(category=-1, status="under_review")),
    ("priority at least 50", InboxFilters(min_priority=50)),
    ("linked reports grouped", InboxFilters(grouped=True)),
]


def populate() -> tuple[User, list[int]]:
    call_command("migrate", verbosity=0)
    load_profile("national-security")
    team = accounts.get_or_create_team(slug="triage")
    analyst = accounts.create_staff_user(
        username="analyst", password=PASSWORD, role=Role.ANALYST, team=team, actor=None
    )
    colleague = accounts.create_staff_user(
        username="colleague",
        password=PASSWORD,
        role=Role.ANALYST,
        team=team,
        actor=None,
    )
    categories = list(Category.objects.values_list("pk", flat=True))
    rng = random.Random(5)
    now = timezone.now()
    statuses = [Status.NEW, Status.ACKNOWLEDGED, Status.UNDER_REVIEW, Status.CLOSED]
    started = time.perf_counter()
    for first in range(0, CASES, BATCH):
        reports = Report.objects.bulk_create(
            Report(
                category_id=rng.choice(categories),
                received_at=now - timedelta(hours=CASES - n),
                receipt_lookup=f"{n:064x}",
                answers_encrypted=b"\0" * 64,
                reporter_key=b"\0" * 72,
            )
            for n in range(first, first + BATCH)
        )
        cases = []
        for report in reports:
            status = rng.choice(statuses)
            received = report.received_at
            cases.append(
                Case(
                    report=report,
                    team=team,
                    status=status,
                    outcome=Outcome.UNFOUNDED if status == Status.CLOSED else "",
                    created_at=received,
                    acknowledge_due=(
                        received + timedelta(days=7) if status == Status.NEW else None
                    ),
                    feedback_due=(
                        None
                        if status == Status.CLOSED
                        else received + timedelta(days=90)
                    ),
                    assignee=rng.choice([None, None, analyst, colleague]),
                    priority=rng.randint(0, 100),
                    escrow_key=b"\0" * 80,
                )
            )
        cases = Case.objects.bulk_create(cases)
        CaseKey.objects.bulk_create(
            CaseKey(case=case, user=user, sealed_key=b"\0" * 80)
            for case in cases
            for user in (analyst, colleague)
        )
    # One case in fifty belongs to a linked group of two to four.
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for lead in ids[::50]:
        size = rng.randint(1, 3)
        Case.objects.filter(pk__gte=lead, pk__lte=lead + size).update(group_id=lead)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"populated {CASES} cases in {time.perf_counter() - started:.0f} s")
    return analyst, categories


def timings(run: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def baseline() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM cases_case ORDER BY id DESC LIMIT %s", [PAGE])
        cursor.fetchall()
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        cursor.fetchall()


def page_queries(user: User, filters: InboxFilters) -> int:
    page = inbox_page(user, filters, 1)
    return len(page.object_list) + page.paginator.count


def signed_in_client() -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    html = client.get("/staff/login/").content.decode()
    client.post(
        "/staff/login/",
        {**form_tokens(html), "username": "analyst", "password": PASSWORD},
    )
    return client


def main() -> None:
    analyst, categories = populate()
    base_p50, base_p99 = timings(baseline)
    client = signed_in_client()
    rows = [
        f"| baseline: newest 50 ids and a count | {base_p50 * 1000:.1f} | "
        f"{base_p99 * 1000:.1f} | 1.0 | |"
    ]
    for label, filters in FILTERS:
        if filters.category == -1:
            filters = InboxFilters(category=categories[0], status="under_review")
        p50, p99 = timings(functools.partial(page_queries, analyst, filters))
        query = {
            key: ("on" if value is True else value)
            for key, value in vars(filters).items()
            if value not in (None, "", False)
            and not (key == "sort" and value == "newest")
        }
        page_p50, _ = timings(functools.partial(client.get, "/staff/", query))
        response = client.get("/staff/", query)
        assert response.status_code == 200, response.status_code
        rows.append(
            f"| {label} | {p50 * 1000:.1f} | {p99 * 1000:.1f} | "
            f"{p50 / base_p50:.1f} | {page_p50 * 1000:.0f} |"
        )
        print(rows[-1], flush=True)
    table = "\n".join(
        [
            f"The inbox of an analyst who can read all {CASES:,} cases (SQLite, "
            f"in process). Query: the three queries of a page of {PAGE} (ids, "
            "count, rows), ms over "
            f"{REPEAT} runs; page: the whole signed-in page rendered, ms (median).",
            "",
            "| inbox | query p50 ms | query p99 ms | x baseline | page p50 ms |",
            "|---|---|---|---|---|",
            *rows,
        ]
    )
    print(write_result("cases", table))


if __name__ == "__main__":
    main()
