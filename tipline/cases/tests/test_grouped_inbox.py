"""The grouped inbox never hides a readable case (issue 12, point 10): a group is
led by the earliest case the viewer can read, and counts only those."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from testkit.helpers import staff_login
from tipline.accounts.services import default_team
from tipline.cases import selectors, workflow
from tipline.cases.models import Case, Outcome, Status
from tipline.profiles.loader import forget_categories
from tipline.profiles.models import Category
from tipline.triage.models import RoutingRule

pytestmark = pytest.mark.django_db

ROW_RE = re.compile(
    r'<a href="/staff/cases/(\d+)/">#\d+</a>( <span class="linked">'
    r"\+(\d+) linked</span>)?"
)


def route_to(team) -> None:
    RoutingRule.objects.update_or_create(
        category=Category.objects.get(slug="approach"), defaults={"team": team}
    )
    forget_categories()


def report(submit_report, team, text) -> Case:
    route_to(team)
    submit_report({"what_happened": text})
    return Case.objects.latest("pk")


def link(case, other) -> None:
    case.refresh_from_db()
    workflow.decide_link(
        case=case, user=None, other=other, decision="link", version=case.version
    )


def rows(client, query="?grouped=on") -> list[tuple[int, int]]:
    """(case number, linked count) of each inbox row, in order."""
    html = client.get("/staff/" + query).content.decode()
    return [(int(pk), int(n or 0)) for pk, _span, n in ROW_RE.findall(html)]


@pytest.fixture
def linked_across_teams(owner, outsider, submit_report):
    """The other team's case arrived first and leads the group; the owner's two
    came later and were linked to it."""
    theirs = report(submit_report, outsider.team, "Drone over the depot, first.")
    mine = report(submit_report, default_team(), "Drone over the depot, again.")
    later = report(submit_report, default_team(), "Drone over the depot, third.")
    link(mine, theirs)
    link(later, mine)
    return theirs, mine, later


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


def test_the_viewers_earliest_readable_case_leads_the_group(
    owner, outsider, linked_across_teams
):
    theirs, mine, _later = linked_across_teams
    assert {case.group_id for case in Case.objects.all()} == {theirs.pk}

    assert rows(signed_in(owner)) == [(mine.pk, 1)]
    # The other team sees its own case, and nothing of the owner's.
    assert rows(signed_in(outsider)) == [(theirs.pk, 0)]
    page = selectors.inbox_page(owner, selectors.InboxFilters(grouped=True))
    assert page.paginator.count == 1
    assert [case.linked for case in page.object_list] == [1]


def test_a_filtered_out_lead_passes_the_lead_on(owner, linked_across_teams):
    _theirs, mine, later = linked_across_teams
    mine.refresh_from_db()
    workflow.change_status(
        case=mine,
        user=owner,
        status=Status.CLOSED,
        outcome=Outcome.DUPLICATE,
        version=mine.version,
    )
    client = signed_in(owner)

    # Open cases only (the default): the closed one cannot lead.
    assert rows(client) == [(later.pk, 1)]
    assert rows(client, "?grouped=on&status=all") == [(mine.pk, 1)]
    assert rows(client, "?status=all") == [(later.pk, 0), (mine.pk, 0)]


def test_groups_of_only_unreadable_cases_show_nothing(owner, outsider, submit_report):
    first = report(submit_report, outsider.team, "Photographs of the gate, one.")
    second = report(submit_report, outsider.team, "Photographs of the gate, two.")
    link(second, first)
    mine = report(submit_report, default_team(), "Unrelated: a parcel at the door.")

    assert rows(signed_in(owner)) == [(mine.pk, 0)]
    assert rows(signed_in(outsider)) == [(first.pk, 1)]


def test_grouped_inbox_queries_do_not_grow_with_groups(
    owner, outsider, submit_report, django_assert_num_queries
):
    def add_group(n):
        theirs = report(submit_report, outsider.team, f"Event {n} seen by them.")
        mine = report(submit_report, default_team(), f"Event {n} seen by us.")
        link(mine, theirs)

    client = signed_in(owner)
    add_group(0)
    # The log keeps the last 9,000 queries; counting needs room past them.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as one_group:
        assert len(rows(client)) == 1
    queries = len(one_group)
    for n in range(1, 6):
        add_group(n)

    connection.queries_log.clear()
    with django_assert_num_queries(queries):
        assert len(rows(client)) == 6
