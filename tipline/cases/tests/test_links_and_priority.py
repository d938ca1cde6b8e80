"""Likely duplicates found at intake, linking and merging; priority."""

import re

import pytest
from django.db import connection
from django.test import Client

from testkit.helpers import make_staff, staff_login
from tipline.audit.models import AuditEvent
from tipline.cases import priority
from tipline.cases.models import Case, CaseLink, LinkState, Status
from tipline.profiles.models import Category
from tipline.triage.models import PriorityRule

pytestmark = pytest.mark.django_db

FIRST = (
    "A man who said his name was Viktor Hale approached me at the cafe opposite "
    "the main gate of the naval research laboratory. He offered me money for the "
    "floor plans of building four and asked who works the night shift. He came "
    "back two days later in a grey Volvo and asked again."
)
# The same events told again: sentences reordered, a few words changed.
SAME_AGAIN = (
    "He came back two days later in a grey Volvo and asked again. A man who said "
    "his name was Viktor Hale approached me at the cafe opposite the main gate of "
    "the naval research laboratory. He offered me cash for the floor plans of "
    "building four and asked who works the night shift."
)
UNRELATED = (
    "Someone has been flying a small drone over the fuel depot fence every "
    "evening this week around nine, and filming the guard rotation from the road."
)
CHINESE = (
    "一名自称王先生的男子在实验室正门对面的咖啡馆接近我，出价购买四号楼的平面图，"
    "还问我夜班有哪些人。两天后他开着一辆灰色沃尔沃又来了一次，再次提出同样的要求。"
)
CHINESE_AGAIN = (
    "两天后他开着一辆灰色沃尔沃又来了一次，再次提出同样的要求。一名自称王先生的男子"
    "在实验室正门对面的咖啡馆接近我，出价购买四号楼的平面图，还问我夜班有哪些人。"
)

HIDDEN_RE = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


@pytest.fixture
def owner_client(owner):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    return client


def submitted(submit_report, text):
    submit_report({"what_happened": text})
    return Case.objects.latest("pk")


def decide(client, case, other, decision):
    """Press a button of the likely-duplicate entry for ``other`` on the case page."""
    html = client.get(f"/staff/cases/{case.pk}/").content.decode()
    url = f"/staff/cases/{case.pk}/links/"
    marker = f'name="other" value="{other.pk}"'
    end = html.index(marker)
    start = html.rindex(f'action="{url}"', 0, end)
    hidden = dict(HIDDEN_RE.findall(html[start : html.index("</form>", end)]))
    return client.post(url, {**hidden, "decision": decision})


def test_a_retold_report_is_listed_as_a_likely_duplicate(owner_client, submit_report):
    first = submitted(submit_report, FIRST)
    submitted(submit_report, UNRELATED)
    again = submitted(submit_report, SAME_AGAIN)

    (link,) = CaseLink.objects.filter(case=again)
    assert link.other == first
    assert link.state == LinkState.SUGGESTED
    assert link.similarity >= 0.5
    html = owner_client.get(f"/staff/cases/{again.pk}/").content.decode()
    assert f'href="/staff/cases/{first.pk}/"' in html
    assert f"similarity {round(link.similarity * 100)}%" in html
    assert not CaseLink.objects.filter(case__in=[first]).exists()


def test_chinese_reports_are_matched_without_word_segmentation(submit_report):
    first = submitted(submit_report, CHINESE)
    again = submitted(submit_report, CHINESE_AGAIN)

    assert CaseLink.objects.filter(case=again, other=first).exists()


def test_no_text_of_the_report_is_stored_for_the_lookup(submit_report):
    submitted(submit_report, FIRST)
    with connection.cursor() as cursor:
        cursor.execute("SELECT signature FROM triage_textfingerprint")
        (signature,) = cursor.fetchone()
        cursor.execute("SELECT value FROM triage_fingerprintband")
        bands = [row[0] for row in cursor.fetchall()]
    assert b"Viktor" not in bytes(signature)
    assert b"viktor" not in bytes(signature)
    assert bands
    assert all(isinstance(value, int) for value in bands)


def test_linking_groups_cases_and_the_inbox_shows_one_row(owner_client, submit_report):
    first = submitted(submit_report, FIRST)
    again = submitted(submit_report, SAME_AGAIN)

    response = decide(owner_client, again, first, "link")

    assert response.status_code == 302
    first.refresh_from_db()
    again.refresh_from_db()
    assert first.group_id == again.group_id == first.pk
    link = CaseLink.objects.get(case=again)
    assert (link.state, link.decided_by.username) == (LinkState.LINKED, "owner")
    grouped = owner_client.get("/staff/?grouped=on").content.decode()
    assert grouped.count('href="/staff/cases/') == 1
    assert "+1 linked" in grouped
    assert AuditEvent.objects.filter(action="case.link").exists()


def test_dismissing_a_suggestion_removes_it_from_the_case_page(
    owner_client, submit_report
):
    first = submitted(submit_report, FIRST)
    again = submitted(submit_report, SAME_AGAIN)

    decide(owner_client, again, first, "dismiss")

    assert CaseLink.objects.get(case=again).state == LinkState.DISMISSED
    html = owner_client.get(f"/staff/cases/{again.pk}/").content.decode()
    assert f'href="/staff/cases/{first.pk}/"' not in html
    again.refresh_from_db()
    assert again.group_id is None


def test_merging_closes_the_newer_case_as_a_duplicate(owner_client, submit_report):
    first = submitted(submit_report, FIRST)
    again = submitted(submit_report, SAME_AGAIN)

    decide(owner_client, again, first, "merge")

    again.refresh_from_db()
    assert (again.status, again.outcome) == (Status.CLOSED, "duplicate")
    assert again.group_id == first.pk


def test_linking_any_readable_case_by_number(owner_client, submit_report):
    first = submitted(submit_report, FIRST)
    other = submitted(submit_report, UNRELATED)
    html = owner_client.get(f"/staff/cases/{other.pk}/").content.decode()
    url = f"/staff/cases/{other.pk}/links/"
    start = html.index(f'action="{url}" novalidate')
    hidden = dict(HIDDEN_RE.findall(html[start : html.index("</form>", start)]))

    response = owner_client.post(url, {**hidden, "other": str(first.pk)})

    assert response.status_code == 302
    assert CaseLink.objects.get(case=other, other=first).state == LinkState.LINKED


def test_linking_to_a_case_of_another_team_is_404(profile, submit_report, owner):
    mine = submitted(submit_report, FIRST)
    outsider = make_staff("outsider", "elsewhere")
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    # A case only the outsider's team can read.
    theirs = submitted(submit_report, UNRELATED)
    theirs.keys.exclude(user=outsider).delete()
    html = client.get(f"/staff/cases/{mine.pk}/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    response = client.post(
        f"/staff/cases/{mine.pk}/links/",
        {
            "csrfmiddlewaretoken": csrf,
            "other": str(theirs.pk),
            "decision": "link",
            "version": "0",
        },
    )

    assert response.status_code == 404
    assert not CaseLink.objects.filter(case=mine, other=theirs).exists()


# --- Priority -------------------------------------------------------------------


def test_priority_is_the_sum_of_rules_shown_with_reasons(
    owner_client, profile, submit_report
):
    approach = Category.objects.get(profile=profile, slug="approach")
    PriorityRule.objects.create(kind="category", category=approach, weight=10)
    PriorityRule.objects.create(kind="keyword", keyword="floor plans", weight=25)
    PriorityRule.objects.create(kind="keyword", keyword="不相关", weight=99)
    PriorityRule.objects.create(kind="linked", weight=5)

    case = submitted(submit_report, FIRST)

    # The inbox sorts by the keyword points rounded down (25 -> 16, issue 12);
    # the case page shows the exact score to staff holding the case key.
    assert case.priority == 26
    html = owner_client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert '<dd class="priority">35 ' in html
    assert "Category: Suspicious approach or recruitment attempt: +10" in html
    assert "Priority keywords in the report: +25" in html
    assert "floor plans" in html.split("Keywords found:")[1][:200]
    # Which words matched is not readable in the database.
    assert b"floor plans" not in bytes(case.keyword_hits_encrypted)

    again = submitted(submit_report, SAME_AGAIN)
    decide(owner_client, again, case, "link")
    case.refresh_from_db()
    assert case.priority == 31
    html = owner_client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert '<dd class="priority">40 ' in html
    assert "1 linked reports: +5" in html


def test_age_adds_points_every_day_an_open_case_waits(profile, submit_report):
    from datetime import timedelta

    PriorityRule.objects.create(kind="age", weight=2)
    case = submitted(submit_report, UNRELATED)
    Case.objects.filter(pk=case.pk).update(
        created_at=case.created_at - timedelta(days=3, hours=1)
    )

    priority.refresh()

    case.refresh_from_db()
    assert case.priority == 6
