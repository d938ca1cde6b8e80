"""Communications staff write the public bulletins and never read a report
(issue 15, point 5): no key is sealed or granted to them, and the case pages
show them nothing even if a key reached them some other way."""

import pytest
from django.test import Client

from testkit.helpers import make_staff, staff_login
from tipline.accounts.models import Role
from tipline.accounts.services import default_team
from tipline.audit.models import AuditEvent
from tipline.cases import selectors
from tipline.cases.models import Case, CaseKey
from tipline.cases.recovery import teams_without_readers

pytestmark = pytest.mark.django_db


@pytest.fixture
def press(profile):
    """A communications user in the very team that new reports go to."""
    return make_staff("press", default_team().slug, role=Role.COMMUNICATIONS)


@pytest.fixture
def case(press, owner, submit_report):
    submit_report({"what_happened": "Someone photographed the gate."})
    return Case.objects.get()


def test_no_key_is_sealed_to_communications_staff(case, press, owner):
    readers = set(CaseKey.objects.filter(case=case).values_list("user", flat=True))

    assert owner.pk in readers
    assert press.pk not in readers
    assert press not in selectors.grantable_to(case)


def test_communications_staff_get_a_404_on_a_case_even_holding_a_key(case, press):
    # A key that reached them before a change of role, say.
    key = CaseKey.objects.filter(case=case).first()
    CaseKey.objects.create(case=case, user=press, sealed_key=key.sealed_key)
    client = Client(enforce_csrf_checks=True)
    staff_login(client, press)

    assert client.get(f"/staff/cases/{case.pk}/").status_code == 404
    assert client.get(f"/staff/cases/{case.pk}/files/1/").status_code == 404
    assert list(selectors.inbox_for(press)) == []
    assert AuditEvent.objects.filter(
        action="case.denied", actor=press, target=f"case:{case.pk}"
    ).exists()


def test_their_inbox_is_the_bulletins_editor_and_the_nav_has_no_inbox(case, press):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, press)

    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/bulletins/"
    html = client.get("/staff/bulletins/").content.decode()
    assert 'href="/staff/"' not in html
    assert '<a href="/staff/bulletins/">Settings</a>' in html
    assert "Someone photographed the gate." not in html


def test_a_team_of_only_communications_staff_has_no_reader(press, profile):
    # The default team's only member writes bulletins: its reports are unreadable.
    assert [team.slug for team in teams_without_readers()] == [default_team().slug]
