"""The retention settings page: administrators set how long closed cases are kept."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from testkit.helpers import make_staff, post_form, staff_login
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.cases import retention
from tipline.cases.models import Case, Outcome, RetentionPeriod
from tipline.cases.workflow import change_status

SHORT = ("unfounded", "malicious")
DEFAULT_DAYS = {o.value: 183 if o in SHORT else 1825 for o in Outcome}


def close(case, outcome, days_ago):
    closed_at = timezone.now() - timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(
        status="closed",
        outcome=outcome,
        closed_at=closed_at,
        purge_after=closed_at + retention.retention_for(outcome),
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def admin_client(profile):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, make_staff("admin", "triage", role=Role.ADMINISTRATOR))
    return client


def save_retention(client, **days):
    page = "/staff/settings/retention/"
    return post_form(client, page, page, {**DEFAULT_DAYS, **days})


@pytest.mark.django_db
def test_administrators_set_retention_and_closed_cases_follow(
    admin_client, submit_report, owner
):
    submit_report({"what_happened": "Someone photographed the gate codes."})
    submit_report({"what_happened": "A stranger asked about my clearance."})
    unfounded, kept = Case.objects.order_by("pk")
    close(unfounded, "unfounded", days_ago=10)
    close(kept, "substantiated", days_ago=10)
    page = admin_client.get("/staff/settings/retention/").content.decode()
    assert 'name="unfounded"' in page
    assert 'value="183"' in page

    response = save_retention(admin_client, unfounded=30)

    assert response.status_code == 302
    assert retention.periods()["unfounded"] == 30
    unfounded.refresh_from_db()
    assert unfounded.purge_after - unfounded.closed_at == timedelta(days=30)
    kept.refresh_from_db()
    assert kept.purge_after - kept.closed_at == timedelta(days=1825)
    event = AuditEvent.objects.get(action="settings.retention")
    assert event.target == "outcome:unfounded"
    assert event.detail == {"from": 183, "to": 30, "cases": 1}
    # A case closed from now on gets the new period too.
    submit_report({"what_happened": "A parcel was left by the server room."})
    fresh = Case.objects.order_by("pk").last()
    change_status(
        case=fresh, user=owner, status="closed", outcome="unfounded", version=0
    )
    assert fresh.purge_after - fresh.closed_at == timedelta(days=30)


@pytest.mark.django_db
def test_a_period_that_destroys_cases_at_once_must_be_confirmed(
    admin_client, submit_report
):
    submit_report({"what_happened": "A van watched the depot for a week."})
    (case,) = Case.objects.all()
    close(case, "substantiated", days_ago=400)

    refused = save_retention(admin_client, substantiated=365)

    assert refused.status_code == 400
    assert "1 closed case would be destroyed" in refused.content.decode()
    assert not RetentionPeriod.objects.exists()
    assert retention.due_count() == 0

    confirmed = save_retention(admin_client, substantiated=365, confirm="on")

    assert confirmed.status_code == 302
    assert retention.due_count() == 1
    assert retention.purge_due().cases == 1
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "greater than or equal to 1"),
        ("-5", "greater than or equal to 1"),
        ("ten", "Enter a whole number"),
        ("", "This field is required"),
        ("99999999999999999999", "less than or equal to 36500"),
    ],
)
def test_bad_periods_are_refused_and_nothing_changes(admin_client, value, message):
    response = save_retention(admin_client, referred=value)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RetentionPeriod.objects.exists()
    assert not AuditEvent.objects.filter(action="settings.retention").exists()


@pytest.mark.django_db
def test_only_administrators_see_retention_settings(owner):
    client = Client()
    staff_login(client, owner)
    assert client.get("/staff/settings/retention/").status_code == 404
    assert client.post("/staff/settings/retention/", DEFAULT_DAYS).status_code == 404
    assert not RetentionPeriod.objects.exists()
