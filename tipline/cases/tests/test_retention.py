"""Retention: a case past its date is destroyed, and stays unrecoverable."""

import json
import os
import uuid
from datetime import timedelta

import pytest
import requests
from django.test import Client
from django.utils import timezone

from testkit.helpers import form_tokens, make_staff, post_form, receipt_in, staff_login
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.cases import retention
from tipline.cases.models import (
    Attachment,
    Case,
    CaseKey,
    CaseStatistic,
    Message,
    Outcome,
    Report,
    RetentionPeriod,
)
from tipline.cases.workflow import change_status
from tipline.triage.models import FingerprintBand, TextFingerprint

DUMP = """
import json
from tipline.cases.models import Case
case = Case.objects.select_related("report").get()
report = case.report
blobs = []
for a in report.attachments.all():
    blobs += [a.blob_name, a.original_blob_name]
print(json.dumps({
    "sealed": [bytes(k.sealed_key).hex() for k in case.keys.all()]
        + [bytes(case.escrow_key).hex(), bytes(report.reporter_key).hex()]
        + [bytes(k.sealed_key).hex() for a in report.attachments.all()
           for k in a.original_keys.all()]
        + [bytes(a.original_escrow_key).hex() for a in report.attachments.all()],
    "ciphertext": [bytes(report.answers_encrypted).hex()]
        + [bytes(m.body_encrypted).hex() for m in case.messages.all()],
    "blobs": [b for b in blobs if b],
}))
"""
EXPIRE = """
from datetime import timedelta
from django.utils import timezone
from tipline.cases.models import Case
Case.objects.update(status="closed", outcome="unfounded",
                    closed_at=timezone.now() - timedelta(days=200),
                    purge_after=timezone.now() - timedelta(days=17))
"""
COUNTS = """
import json
from tipline.cases.models import Case, CaseKey, CaseStatistic
from tipline.cases.models import Attachment, Report
print(json.dumps([Case.objects.count(), CaseKey.objects.count(),
    Report.objects.count(), Attachment.objects.count(),
    list(CaseStatistic.objects.values_list("category", "outcome", "count"))]))
"""


def shell(live, code):
    return live.run("manage", "shell", "-c", code).stdout.strip().splitlines()[-1]


def test_a_purged_case_leaves_no_key_ciphertext_or_file_behind(live_tipline):
    marker = f"MARKER-{uuid.uuid4().hex}"
    base = live_tipline.url
    reporter = requests.Session()
    html = reporter.get(base + "/report/approach/").text
    response = reporter.post(
        base + "/report/approach/",
        data={
            **form_tokens(html),
            "what_happened": f"{marker} asked for plans",
            # The reporter chose to keep the original: its keys must go too.
            "keep_originals": "yes",
        },
        files={"files": ("notes.txt", f"{marker} evidence\n".encode(), "text/plain")},
    )
    receipt = receipt_in(response.text)
    html = reporter.get(base + "/followup/").text
    opened = reporter.post(
        base + "/followup/", data={**form_tokens(html), "receipt": receipt}
    )
    assert marker in opened.text
    saved = json.loads(shell(live_tipline, DUMP))
    assert saved["blobs"]
    shell(live_tipline, EXPIRE)

    output = live_tipline.run("purge").stdout
    assert "purged 1 cases" in output

    cases, keys, reports, files, statistics = json.loads(shell(live_tipline, COUNTS))
    assert (cases, keys, reports, files) == (0, 0, 0, 0)
    assert statistics == [["approach", "unfounded", 1]]
    storage = live_tipline.data_dir / "files"
    for blob in saved["blobs"]:
        assert not (storage / blob).exists()
    # The receipt opens nothing any more.
    html = reporter.get(base + "/followup/").text
    gone = reporter.post(
        base + "/followup/", data={**form_tokens(html), "receipt": receipt}
    )
    assert marker not in gone.text
    # Not a byte of any sealed key or ciphertext is left in the database's files
    # (SQLite: secure_delete and a truncated log). On PostgreSQL the rows are gone
    # and vacuumed; its write-ahead log keeps old pages until it is recycled, which
    # docs/security.md explains.
    if not os.environ.get("TIPLINE_TEST_POSTGRES"):
        database_files = [
            path for path in live_tipline.data_dir.glob("*.sqlite3*") if path.is_file()
        ]
        assert database_files
        contents = b"".join(path.read_bytes() for path in database_files)
        for value in saved["sealed"] + saved["ciphertext"]:
            assert bytes.fromhex(value)[-32:] not in contents


@pytest.mark.django_db
def test_purge_keeps_cases_that_are_not_due(submit_report, owner):
    submit_report({"what_happened": "The fence near the depot was cut."})
    submit_report({"what_happened": "A drone flew over the harbour at night."})
    due, kept = Case.objects.order_by("pk")
    Case.objects.filter(pk=due.pk).update(
        status="closed",
        outcome="substantiated",
        purge_after=timezone.now() - timedelta(minutes=1),
    )
    Case.objects.filter(pk=kept.pk).update(
        status="closed",
        outcome="substantiated",
        purge_after=timezone.now() + timedelta(days=1),
    )
    assert retention.due_count() == 1

    result = retention.purge_due()

    assert (result.cases, result.files) == (1, 0)
    assert list(Case.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Report.objects.count() == 1
    assert not CaseKey.objects.filter(case_id=due.pk).exists()
    assert not Message.objects.filter(case_id=due.pk).exists()
    assert not TextFingerprint.objects.filter(case_id=due.pk).exists()
    assert not FingerprintBand.objects.filter(case_id=due.pk).exists()
    assert Attachment.objects.count() == 0
    (statistic,) = CaseStatistic.objects.all()
    assert (statistic.category, statistic.outcome, statistic.count) == (
        "approach",
        "substantiated",
        1,
    )
    event = AuditEvent.objects.get(action="retention.purge")
    assert event.detail == {"cases": 1, "files": 0}
    # Running again finds nothing and changes nothing.
    assert retention.purge_due().cases == 0
    assert CaseStatistic.objects.get().count == 1


def test_the_purge_is_a_daily_task():
    from tipline import schedule

    tasks = {task.module_path: interval for task, interval in schedule.PERIODIC}
    assert tasks["tipline.cases.tasks.purge_expired_cases"] == timedelta(days=1)


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
