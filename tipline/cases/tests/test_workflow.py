"""Case handling: workflow, deadlines, assignment, notes, risk, redaction, grants."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from testkit.helpers import (
    make_staff,
    post_form,
    receipt_in,
    staff_login,
)
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.audit.services import verify_chain
from tipline.cases import deadlines
from tipline.cases.models import Case, CaseKey, Note, Outcome, Redaction, Status
from tipline.triage.models import FingerprintBand, TextFingerprint

pytestmark = pytest.mark.django_db

REPORT = (
    "A man calling himself Viktor Hale offered me money for the floor plans of "
    "the naval research laboratory where I work. He approached me twice at the "
    "cafe opposite the main gate and asked about the night shift."
)


@pytest.fixture
def chief(profile):
    """A supervisor of the triage team, there before the report arrives."""
    user = make_staff("chief", "triage", role=Role.SUPERVISOR)
    user.email = "chief@example.org"
    user.save()
    return user


@pytest.fixture
def reported(submit_report, owner, chief):
    response = submit_report({"what_happened": REPORT})
    case = Case.objects.get()
    case.receipt = receipt_in(response.content.decode())
    return case


def client_for(user):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


def case_page(client, case):
    return client.get(f"/staff/cases/{case.pk}/").content.decode()


HIDDEN_RE = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def act(client, case, action, data):
    """Load the case page and post the form whose action is ``action`` with that
    form's own hidden fields (CSRF token, one-time token, case version)."""
    url = f"/staff/cases/{case.pk}/{action}/"
    html = client.get(f"/staff/cases/{case.pk}/").content.decode()
    start = html.index(f'action="{url}"')
    form = html[start : html.index("</form>", start)]
    hidden = dict(HIDDEN_RE.findall(form))
    return client.post(url, {**hidden, **data})


def post_direct(client, case, action, data):
    """Post ``data`` as given (a form loaded before someone else changed the
    case, or one the page does not offer), with a valid CSRF token."""
    html = client.get(f"/staff/cases/{case.pk}/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client.post(
        f"/staff/cases/{case.pk}/{action}/", {"csrfmiddlewaretoken": csrf, **data}
    )


def reporter_status(browser_client, receipt):
    html = post_form(
        browser_client, "/followup/", "/followup/", {"receipt": receipt}
    ).content.decode()
    return html


# --- Workflow ----------------------------------------------------------------


def test_a_case_walks_from_new_to_closed_and_each_step_is_audited(
    owner_client, reported
):
    for status in ("acknowledged", "under_review"):
        response = act(owner_client, reported, "status", {"status": status})
        assert response.status_code == 302
    response = act(
        owner_client,
        reported,
        "status",
        {"status": "closed", "outcome": "substantiated"},
    )
    assert response.status_code == 302

    reported.refresh_from_db()
    assert (reported.status, reported.outcome) == ("closed", "substantiated")
    assert reported.acknowledged_at is not None
    assert reported.closed_at is not None
    assert reported.acknowledge_due is None
    assert reported.feedback_due is None
    moves = [
        (e.detail["from"], e.detail["to"])
        for e in AuditEvent.objects.filter(action="case.status").order_by("pk")
    ]
    assert moves == [
        ("new", "acknowledged"),
        ("acknowledged", "under_review"),
        ("under_review", "closed"),
    ]
    assert verify_chain() is None


def test_an_invalid_transition_is_refused_and_changes_nothing(owner_client, reported):
    response = act(owner_client, reported, "status", {"status": "under_review"})

    assert response.status_code == 400
    assert "cannot go from" in response.content.decode()
    reported.refresh_from_db()
    assert reported.status == Status.NEW
    assert reported.version == 0
    assert not AuditEvent.objects.filter(action="case.status").exists()


def test_closing_needs_an_outcome(owner_client, reported):
    response = act(owner_client, reported, "status", {"status": "closed"})

    assert response.status_code == 400
    assert "Choose an outcome" in response.content.decode()
    reported.refresh_from_db()
    assert reported.status == Status.NEW


def test_a_stale_form_gets_a_conflict_and_overwrites_nothing(
    owner_client, colleague, reported
):
    # Both load the case page at version 0; the colleague acts first.
    other = client_for(colleague)
    act(other, reported, "status", {"status": "acknowledged"})
    response = post_direct(
        owner_client,
        reported,
        "status",
        {"status": "closed", "outcome": "unfounded", "version": "0"},
    )

    assert response.status_code == 409
    assert "Someone changed this case after you opened it" in (
        response.content.decode()
    )
    reported.refresh_from_db()
    assert (reported.status, reported.outcome) == ("acknowledged", "")


def test_the_reporter_sees_plain_words_and_never_malicious(
    owner_client, browser_client, reported
):
    assert "Received. It has not been read yet." in reporter_status(
        browser_client, reported.receipt
    )

    act(owner_client, reported, "status", {"status": "closed", "outcome": "malicious"})

    html = reporter_status(Client(enforce_csrf_checks=True), reported.receipt)
    assert "found no grounds to act further" in html
    assert "malicious" not in html.lower()
    assert "knowingly false" not in html.lower()


def test_closing_as_malicious_keeps_evidence_and_drops_derived_data(
    owner_client, reported
):
    assert TextFingerprint.objects.filter(case_id=reported.pk).exists()

    act(owner_client, reported, "status", {"status": "closed", "outcome": "malicious"})

    reported.refresh_from_db()
    # The earliest deletion: six months, not five years.
    assert reported.purge_after - reported.closed_at == timedelta(days=183)
    assert not TextFingerprint.objects.filter(case_id=reported.pk).exists()
    assert not FingerprintBand.objects.filter(case_id=reported.pk).exists()
    # What a referral needs is still readable.
    assert REPORT in case_page(owner_client, reported)
    assert AuditEvent.objects.filter(action="case.minimised").exists()


def test_closed_cases_keep_their_retention_by_outcome(owner_client, reported):
    act(
        owner_client,
        reported,
        "status",
        {"status": "closed", "outcome": Outcome.SUBSTANTIATED},
    )
    reported.refresh_from_db()
    assert reported.purge_after - reported.closed_at == timedelta(days=5 * 365)

    act(owner_client, reported, "status", {"status": "under_review"})
    reported.refresh_from_db()
    assert (reported.status, reported.purge_after, reported.outcome) == (
        "under_review",
        None,
        "",
    )


# --- Deadlines -----------------------------------------------------------------


def test_deadlines_come_from_the_profile_and_the_first_reply_meets_one(
    owner_client, reported
):
    assert reported.acknowledge_due - reported.created_at == timedelta(days=7)
    assert reported.feedback_due - reported.created_at == timedelta(days=90)

    post_form(
        owner_client,
        f"/staff/cases/{reported.pk}/",
        f"/staff/cases/{reported.pk}/reply/",
        {"body": "Thank you, we are looking at this."},
    )

    reported.refresh_from_db()
    assert reported.status == Status.ACKNOWLEDGED
    assert reported.acknowledge_due is None
    assert reported.feedback_due is not None


def test_the_inbox_shows_overdue_cases_and_filters_them(
    owner_client, submit_report, reported
):
    submit_report({"what_happened": "Someone photographed the gate for an hour."})
    Case.objects.filter(pk=reported.pk).update(
        acknowledge_due=timezone.now() - timedelta(days=1)
    )

    everything = owner_client.get("/staff/").content.decode()
    overdue = owner_client.get("/staff/?due=overdue").content.decode()

    assert "overdue" in everything
    assert f"/staff/cases/{reported.pk}/" in overdue
    assert overdue.count('href="/staff/cases/') == 1


def test_supervisors_get_a_daily_email_of_overdue_cases_without_content(
    owner, chief, reported
):
    owner.email = "owner@example.org"
    owner.save()
    Case.objects.filter(pk=reported.pk).update(
        acknowledge_due=timezone.now() - timedelta(days=2)
    )

    assert deadlines.email_overdue_cases() == 1

    (message,) = mail.outbox
    assert message.to == ["chief@example.org"]
    assert f"#{reported.pk}" in message.body
    assert "acknowledgement was due" in message.body
    assert "Viktor" not in message.body
    assert "naval" not in message.body


def test_no_email_when_nothing_is_overdue(chief, reported):
    assert deadlines.email_overdue_cases() == 0
    assert mail.outbox == []


def test_the_overdue_email_is_a_scheduled_task(profile):
    from tipline import schedule

    paths = [task.module_path for task, _ in schedule.PERIODIC]
    assert "tipline.cases.tasks.email_overdue_cases" in paths


# --- Assignment and notes ------------------------------------------------------


def test_a_case_is_assigned_only_to_someone_who_can_read_it(
    owner_client, colleague, outsider, reported
):
    response = act(owner_client, reported, "assign", {"assignee": str(colleague.pk)})
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.assignee == colleague

    response = act(owner_client, reported, "assign", {"assignee": str(outsider.pk)})
    assert response.status_code == 400
    reported.refresh_from_db()
    assert reported.assignee == colleague

    mine = client_for(colleague).get("/staff/?assignee=me").content.decode()
    assert f"/staff/cases/{reported.pk}/" in mine


def test_internal_notes_are_encrypted_and_never_reach_the_reporter(
    owner_client, browser_client, reported
):
    marker = "NOTE-MARKER-7731 check the CCTV"
    response = act(owner_client, reported, "notes", {"body": marker})
    assert response.status_code == 302

    assert marker in case_page(owner_client, reported)
    note = Note.objects.get()
    assert marker.encode() not in bytes(note.body_encrypted)
    assert marker not in reporter_status(browser_client, reported.receipt)
    # A resubmitted form stores one note.
    assert Note.objects.count() == 1


def test_an_empty_note_is_refused_and_the_page_keeps_its_forms(owner_client, reported):
    response = act(owner_client, reported, "notes", {"body": ""})

    assert response.status_code == 400
    assert Note.objects.count() == 0
    assert "Internal note" in response.content.decode()


# --- Risk and fairness ---------------------------------------------------------


def test_the_risk_assessment_is_recorded_with_an_encrypted_note(owner_client, reported):
    marker = "RISK-NOTE-5521 only three people on that shift"
    response = act(owner_client, reported, "risk", {"risk": "high", "note": marker})
    assert response.status_code == 302

    reported.refresh_from_db()
    assert reported.risk == "high"
    assert marker.encode() not in bytes(reported.risk_note_encrypted)
    html = case_page(owner_client, reported)
    assert marker in html
    assert "presumed innocent" in html
    assert AuditEvent.objects.filter(action="case.risk").exists()


def test_a_stale_risk_form_keeps_what_was_typed(owner_client, colleague, reported):
    act(client_for(colleague), reported, "assign", {"assignee": str(colleague.pk)})

    response = post_direct(
        owner_client,
        reported,
        "risk",
        {"risk": "low", "note": "typed with care", "version": "0"},
    )

    assert response.status_code == 409
    assert "typed with care" in response.content.decode()
    reported.refresh_from_db()
    assert reported.risk == "unassessed"


def test_redaction_hides_a_name_in_the_working_view_only(owner_client, reported, chief):
    response = act(owner_client, reported, "redactions", {"term": "viktor hale"})
    assert response.status_code == 302

    html = case_page(owner_client, reported)
    body = html.split("<h2>Report</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Viktor Hale" not in body
    assert "[hidden 1]" in body
    redaction = Redaction.objects.get()
    assert b"Viktor" not in bytes(redaction.term_encrypted)
    assert AuditEvent.objects.filter(action="case.redact").exists()

    # The record itself is unchanged: a supervisor showing it again restores it
    # (tipline/cases/tests/test_redaction.py has the rest).
    act(client_for(chief), reported, f"redactions/{redaction.pk}/delete", {})
    assert "Viktor Hale" in case_page(owner_client, reported)
    assert AuditEvent.objects.filter(action="case.unredact").exists()


# --- Access ------------------------------------------------------------------


def test_another_teams_case_is_404_and_audited(outsider, reported):
    response = client_for(outsider).get(f"/staff/cases/{reported.pk}/")

    assert response.status_code == 404
    denied = AuditEvent.objects.get(action="case.denied")
    assert (denied.actor, denied.target) == (outsider, f"case:{reported.pk}")


def test_a_forged_case_id_is_404(owner_client, reported):
    for path in ("/staff/cases/999999/", "/staff/cases/999999/status/"):
        assert owner_client.get(path).status_code in (404, 405)
    forged = Case(pk=999999)
    html = owner_client.get(f"/staff/cases/{reported.pk}/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = owner_client.post(
        f"/staff/cases/{forged.pk}/status/",
        {"csrfmiddlewaretoken": csrf, "status": "closed", "version": "0"},
    )
    assert response.status_code == 404
    reported.refresh_from_db()
    assert reported.status == Status.NEW


def test_a_supervisor_grants_and_revokes_access(chief, outsider, reported):
    them = client_for(outsider)
    assert them.get(f"/staff/cases/{reported.pk}/").status_code == 404

    response = act(client_for(chief), reported, "access", {"user": str(outsider.pk)})
    assert response.status_code == 302
    # The data key was re-sealed to the outsider: they can decrypt the report.
    assert REPORT in case_page(them, reported)

    response = act(client_for(chief), reported, f"access/{outsider.pk}/revoke", {})
    assert response.status_code == 302
    assert them.get(f"/staff/cases/{reported.pk}/").status_code == 404
    actions = list(
        AuditEvent.objects.filter(action__in=["case.grant", "case.revoke"])
        .order_by("pk")
        .values_list("action", "actor__username")
    )
    assert actions == [("case.grant", "chief"), ("case.revoke", "chief")]


def test_a_grant_to_someone_without_keys_is_refused(chief, reported):
    from tipline.accounts.models import User

    newcomer = User.objects.create(username="newcomer", role=Role.ANALYST)

    response = act(client_for(chief), reported, "access", {"user": str(newcomer.pk)})

    assert response.status_code == 400
    assert "has not set up their account" in response.content.decode()
    assert not CaseKey.objects.filter(user=newcomer).exists()
    assert not AuditEvent.objects.filter(action="case.grant").exists()


def test_team_members_cannot_be_revoked(chief, owner, reported):
    response = post_direct(client_for(chief), reported, f"access/{owner.pk}/revoke", {})

    assert response.status_code == 400
    assert CaseKey.objects.filter(case=reported, user=owner).exists()


def test_only_supervisors_may_grant(owner_client, outsider, reported):
    assert "Give access" not in case_page(owner_client, reported)
    response = post_direct(owner_client, reported, "access", {"user": str(outsider.pk)})

    assert response.status_code == 400
    assert not CaseKey.objects.filter(case=reported, user=outsider).exists()


# --- Inbox -------------------------------------------------------------------


def test_the_inbox_filters_sorts_and_keeps_filters_across_pages(
    owner_client, submit_report, reported
):
    for n in range(55):
        submit_report({"what_happened": f"Unrelated observation number {n} at site"})
    Case.objects.filter(pk=reported.pk).update(priority=50)

    top = owner_client.get("/staff/?sort=priority").content.decode()
    first = top.index('href="/staff/cases/')
    assert top[first:].startswith(f'href="/staff/cases/{reported.pk}/"')
    assert "?sort=priority&amp;page=2" in top
    high = owner_client.get("/staff/?min_priority=10").content.decode()
    assert high.count('href="/staff/cases/') == 1
    act(owner_client, reported, "status", {"status": "acknowledged"})
    acknowledged = owner_client.get("/staff/?status=acknowledged").content.decode()
    assert acknowledged.count('href="/staff/cases/') == 1


def test_a_bad_inbox_filter_is_ignored_with_a_message(owner_client, reported):
    response = owner_client.get("/staff/?status=nonsense&min_priority=abc")

    assert response.status_code == 200
    assert f"/staff/cases/{reported.pk}/" in response.content.decode()


def test_inbox_queries_do_not_grow_with_cases_under_any_filter(
    owner_client, submit_report, django_assert_max_num_queries
):
    for n in range(30):
        submit_report({"what_happened": f"Distinct event {n} seen near the depot"})
    for query in ("", "?sort=priority", "?due=week&assignee=none", "?grouped=on"):
        with django_assert_max_num_queries(10):
            response = owner_client.get("/staff/" + query)
        assert response.status_code == 200


def test_inbox_lookup_uses_indexes(owner, reported):
    # The visibility join starts from the user's keys, not a scan of all keys.
    if connection.vendor != "sqlite":
        pytest.skip("plan text is SQLite's")
    from tipline.cases.selectors import inbox_for

    sql, params = inbox_for(owner).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "cases_casek_user_id" in plan or "case_key_unique" in plan
