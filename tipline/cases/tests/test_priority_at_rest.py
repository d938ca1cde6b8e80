"""No clear-text leak of content through triage (issue 12, point 6).

With distinct keyword weights, an exact keyword sum (or the exact total, since
every other part follows from clear columns) tells which sensitive words a
report contains. The database keeps only the sum rounded down to a power of two;
the words and their points are encrypted with the case.
"""

import json
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from testkit.helpers import PASSWORD, staff_login
from tipline import crypto
from tipline.accounts.models import User
from tipline.cases import priority, rules
from tipline.cases.keys import data_key_for
from tipline.cases.models import Case
from tipline.cases.tasks import refresh_priorities
from tipline.profiles.models import Category
from tipline.triage import priority as scores
from tipline.triage.models import PriorityRule

pytestmark = pytest.mark.django_db

BOTH = (
    "He offered me money for the floor plans of building four and asked who "
    "works the night shift."
)
ONE = "He asked me twice who works the night shift at the depot."
NEITHER = "A drone flies over the fuel depot fence every evening around nine."
# Weights chosen so that each subset has its own sum: 37, 21, 58.
SECRETS = {37, 21, 58, 37 + 3, 21 + 3, 58 + 3}


@pytest.fixture
def keyword_rules(profile):
    approach = Category.objects.get(profile=profile, slug="approach")
    PriorityRule.objects.create(kind="category", category=approach, weight=3)
    PriorityRule.objects.create(kind="keyword", keyword="floor plans", weight=37)
    PriorityRule.objects.create(kind="keyword", keyword="night shift", weight=21)
    PriorityRule.objects.create(kind="keyword", keyword="Volvo", weight=100)


def submitted(submit_report, text):
    submit_report({"what_happened": text})
    return Case.objects.latest("pk")


def staff_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


def rows_of(table):
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (names from introspection)
        columns = [col[0] for col in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def leaks(value, *, numbers: bool = True) -> list[str]:
    """What in one stored cell would tell a matched keyword or its weight
    (``numbers``: also a bare number that is a weight or a sum of them)."""
    if isinstance(value, memoryview | bytes):
        text = bytes(value).decode("utf-8", "replace")
    else:
        text = str(value)
    found = []
    is_number = isinstance(value, int) and not isinstance(value, bool)
    if numbers and is_number and value in SECRETS:
        found.append(f"weight {value}")
    for word in ("floor plans", "night shift", "keywords"):
        if word in text.casefold():
            found.append(word)
    if numbers and isinstance(value, str) and value.startswith("["):
        numbers = {int(n) for n in re.findall(r"-?\d+", value)}
        found += [f"weight {n} in JSON" for n in numbers & SECRETS]
    return found


def test_no_clear_column_holds_a_keyword_weight_or_reason(
    keyword_rules, submit_report, owner
):
    case = submitted(submit_report, BOTH)

    found = {}
    # Migration names are code, not data (one says "keywords").
    for table in set(connection.introspection.table_names()) - {"django_migrations"}:
        # Bare numbers are looked for where triage stores them: elsewhere a
        # position or a day count may be 21 by chance.
        numbers = table in (Case._meta.db_table, PriorityRule._meta.db_table)
        for row in rows_of(table):
            for column, value in row.items():
                if leaks(value, numbers=numbers):
                    found.setdefault(table, set()).add(column)
    # Positive control: the scan sees the administrators' rules themselves.
    assert found.pop(PriorityRule._meta.db_table) >= {"keyword", "weight"}
    assert found == {}
    case.refresh_from_db()
    assert (case.keyword_floor, case.priority) == (32, 35)
    assert b"floor plans" not in bytes(case.keyword_hits_encrypted)
    # Staff holding the case key see the exact score and its reasons.
    html = staff_client(owner).get(f"/staff/cases/{case.pk}/").content.decode()
    assert '<dd class="priority">61 ' in html
    assert "Priority keywords in the report: +58" in html
    assert "Keywords found: floor plans, night shift" in html


def test_different_keyword_sets_read_the_same_in_the_database(
    keyword_rules, submit_report
):
    PriorityRule.objects.create(kind="keyword", keyword="building four", weight=40)
    PriorityRule.objects.create(kind="keyword", keyword="depot", weight=18)
    scores.forget_rules()
    one = submitted(submit_report, "The floor plans and the night shift.")
    other = submitted(submit_report, "Plans of building four and the depot.")

    stored = Case.objects.filter(pk__in=[one.pk, other.pk])
    assert set(stored.values_list("keyword_floor", "priority")) == {(32, 35)}


def test_the_inbox_still_sorts_by_priority(keyword_rules, submit_report, owner):
    neither = submitted(submit_report, NEITHER)
    both = submitted(submit_report, BOTH)
    one = submitted(submit_report, ONE)

    html = staff_client(owner).get("/staff/?sort=priority").content.decode()

    shown = [int(n) for n in re.findall(r'href="/staff/cases/(\d+)/"', html)]
    assert shown == [both.pk, one.pk, neither.pk]


def test_the_daily_refresh_keeps_the_rounded_keyword_part(
    keyword_rules,
    submit_report,
    admin_user,
    profile,
    django_capture_on_commit_callbacks,
):
    case = submitted(submit_report, BOTH)
    PriorityRule.objects.create(kind="age", weight=2)
    Case.objects.filter(pk=case.pk).update(
        created_at=case.created_at.replace(year=case.created_at.year - 1)
    )

    refresh_priorities.call()

    case.refresh_from_db()
    days = (timezone.now() - case.created_at).days
    assert case.priority == 3 + 32 + 2 * days
    # A changed category weight is counted once the change is committed, the
    # keyword part unchanged.
    approach = Category.objects.get(profile=profile, slug="approach")
    with django_capture_on_commit_callbacks(execute=True):
        rules.add_priority_rule(
            user=admin_user,
            rule=PriorityRule(kind="category", category=approach, weight=10),
        )
    case.refresh_from_db()
    assert case.priority == 13 + 32 + 2 * days


def test_a_malicious_outcome_drops_the_keyword_part_from_the_sort(
    keyword_rules, submit_report, owner
):
    from tipline.cases import workflow

    case = submitted(submit_report, BOTH)

    workflow.change_status(
        case=case, user=owner, status="closed", outcome="malicious", version=0
    )

    case.refresh_from_db()
    assert (case.keyword_floor, case.priority, case.keyword_hits_encrypted) == (
        0,
        3,
        None,
    )


@pytest.fixture
def admin_user(profile):
    from testkit.helpers import make_staff
    from tipline.accounts.models import Role

    return make_staff("admin", "triage", role=Role.ADMINISTRATOR)


def migrate(target=None):
    """Migrate cases to ``target``, or every app to its latest migration."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if target is None:
        executor.migrate(executor.loader.graph.leaf_nodes())
    else:
        executor.migrate([("cases", target)])


def case_columns():
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(
            cursor, Case._meta.db_table
        )
    return {column.name for column in described}


@pytest.mark.django_db(transaction=True)
def test_the_migration_rounds_stored_points_and_drops_the_clear_columns(
    keyword_rules, submit_report, owner
):
    new = submitted(submit_report, BOTH)
    # A case from before issue 12 stored only the matched words.
    old = submitted(submit_report, ONE)
    private_key = crypto.unlock_with_password(
        bytes(User.objects.get(pk=owner.pk).private_key_locked), PASSWORD
    )
    legacy_hits = crypto.encrypt(
        data_key_for(case=old, user=owner, private_key=private_key),
        json.dumps(["night shift"]).encode(),
        context=priority.keyword_context(old.report_id),
    )
    table = connection.ops.quote_name(Case._meta.db_table)
    try:
        migrate("0005_message_order_written")
        assert {"keyword_points", "priority_reasons"} <= case_columns()
        with connection.cursor() as cursor:
            for case, points, hits in ((new, 58, None), (old, 21, legacy_hits)):
                reasons = json.dumps([["category", 0, 3], ["keywords", 0, points]])
                cursor.execute(
                    f"UPDATE {table} SET keyword_points = %s, priority = %s, "  # noqa: S608
                    "priority_reasons = %s WHERE id = %s",
                    [points, 3 + points, reasons, case.pk],
                )
                if hits is not None:
                    cursor.execute(
                        f"UPDATE {table} SET keyword_hits_encrypted = %s "  # noqa: S608
                        "WHERE id = %s",
                        [hits, case.pk],
                    )
    finally:
        # Every app, not cases alone: going back to 0005 also undid the later
        # migrations of other apps that depend on cases 0006.
        migrate()

    columns = case_columns()
    assert "keyword_points" not in columns
    assert "priority_reasons" not in columns
    stored = dict(
        Case.objects.filter(pk__in=[new.pk, old.pk]).values_list("pk", "keyword_floor")
    )
    assert stored == {new.pk: 32, old.pk: 16}
    assert Case.objects.get(pk=old.pk).priority == 3 + 16
    for row in rows_of(Case._meta.db_table):
        assert [leaks(value) for value in row.values() if leaks(value)] == []
    # Staff still see the exact reasons, for the old case from its words.
    client = staff_client(owner)
    old_page = client.get(f"/staff/cases/{old.pk}/").content.decode()
    assert "Priority keywords in the report: +21" in old_page
    assert "Keywords found: night shift" in old_page
    new_page = client.get(f"/staff/cases/{new.pk}/").content.decode()
    assert "Priority keywords in the report: +58" in new_page
