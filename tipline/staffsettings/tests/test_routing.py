"""The routing and priority settings page."""

import re

import pytest
from django.test import Client

from testkit.helpers import make_staff, staff_login
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case
from tipline.profiles.models import Category

pytestmark = pytest.mark.django_db

FIRST = (
    "A man who said his name was Viktor Hale approached me at the cafe opposite "
    "the main gate of the naval research laboratory. He offered me money for the "
    "floor plans of building four and asked who works the night shift. He came "
    "back two days later in a grey Volvo and asked again."
)


@pytest.fixture
def owner_client(owner):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    return client


def submitted(submit_report, text):
    submit_report({"what_happened": text})
    return Case.objects.latest("pk")


def test_administrators_set_routing_and_priority_rules(profile, submit_report):
    admin = make_staff("admin", "triage", role=Role.ADMINISTRATOR)
    investigators = make_staff("ivy", "investigations").team
    client = Client(enforce_csrf_checks=True)
    staff_login(client, admin)
    approach = Category.objects.get(profile=profile, slug="approach")

    page = client.get("/staff/settings/triage/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        "/staff/settings/triage/route/",
        {
            "csrfmiddlewaretoken": csrf,
            "category": approach.pk,
            "team": investigators.pk,
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/staff/settings/triage/rules/",
        {"csrfmiddlewaretoken": csrf, "kind": "keyword", "keyword": "", "weight": 5},
    )
    assert response.status_code == 400
    assert "Enter the keyword" in response.content.decode()

    case = submitted(submit_report, FIRST)
    assert case.team == investigators
    assert set(case.keys.values_list("user__username", flat=True)) == {"ivy"}
    assert AuditEvent.objects.filter(action="settings.routing").exists()


def test_only_administrators_see_triage_settings(owner_client):
    assert owner_client.get("/staff/settings/triage/").status_code == 404
