import pytest
from django.test import Client

from testkit.helpers import make_staff, staff_login
from tipline.accounts.models import Role
from tipline.audit import services as audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(profile):
    admin = make_staff("admin", "triage", role=Role.ADMINISTRATOR)
    client = Client(enforce_csrf_checks=True)
    staff_login(client, admin)
    return client


def test_administrators_browse_and_filter_the_log(admin_client, owner):
    for n in range(3):
        audit.record(action="case.read", actor=owner, target=f"case:{n}")
    audit.record(action="settings.routing", actor=None, target="category:1")

    everything = admin_client.get("/staff/audit/").content.decode()
    reads = admin_client.get("/staff/audit/?action=case.&actor=owner").content.decode()
    one = admin_client.get("/staff/audit/?target=case:1").content.decode()

    assert "settings.routing" in everything
    assert "login" in everything
    assert reads.count("Opened the case <code>case.read</code>") == 3
    assert "settings.routing" not in reads
    assert one.count("Opened the case <code>case.read</code>") == 1
    assert f"{audit.current_anchor().count}:" in everything


def test_a_bad_date_filter_shows_an_error_not_a_crash(admin_client):
    response = admin_client.get("/staff/audit/?since=yesterday")

    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_only_administrators_see_the_log(owner):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)

    assert client.get("/staff/audit/").status_code == 404
