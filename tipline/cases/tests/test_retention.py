"""Retention: a case past its date is destroyed, and stays unrecoverable."""

import json
import os
import uuid
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from testkit.helpers import form_tokens, receipt_in
from tipline.audit.models import AuditEvent
from tipline.cases import retention
from tipline.cases.models import (
    Attachment,
    Case,
    CaseKey,
    CaseStatistic,
    Message,
    Report,
)
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
