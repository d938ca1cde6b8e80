"""Issue 13 moved models between apps: Profile and Category to `profiles`, Report,
Attachment and OriginalKey to `cases`, and triage's fingerprint rows from a foreign
key to a case id. An instance upgraded from the schema before the move keeps every
row, every key and every file, and works as before.

Each test starts from the last migrations before the move, with data in them
(written by the product and by the old models themselves), migrates forward, and
reads it back with the new models. It leaves the database at the latest migrations.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from testkit.helpers import make_staff, receipt_in, staff_login
from tipline.accounts.models import Role
from tipline.accounts.services import default_team
from tipline.cases import retention
from tipline.cases.models import (
    Attachment,
    Case,
    OriginalKey,
    Outcome,
    Report,
    Status,
)
from tipline.intake.tests.test_originals_choice import upload
from tipline.profiles.models import Category, Profile
from tipline.triage.models import (
    FingerprintBand,
    PriorityRule,
    RoutingRule,
    TextFingerprint,
)

# The newest migration of each app before issue 13 (and none of the new app).
BEFORE = [
    ("intake", "0006_coarse_attachment_times"),
    ("cases", "0006_priority_without_clear_keywords"),
    ("triage", "0003_priority_rules"),
    ("profiles", None),
]
TEXT = (
    "A man who said he was a consultant asked me for the shift rota of the radar "
    "station and offered money for photographs of the gate every week."
)


def closed_long_ago(case):
    """``case`` closed as unfounded so long ago that its retention has ended."""
    closed_at = timezone.now() - timedelta(days=10_000)
    Case.objects.filter(pk=case.pk).update(
        status=Status.CLOSED,
        outcome=Outcome.UNFOUNDED,
        closed_at=closed_at,
        purge_after=closed_at + retention.retention_for(Outcome.UNFOUNDED),
    )
    case.refresh_from_db()
    return case


def staff_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


def latest():
    executor = MigrationExecutor(connection)
    return migrate(executor.loader.graph.leaf_nodes())


def band_of_no_case(model):
    with transaction.atomic():
        model.objects.create(case_id=10**12, value=7)


def snapshot():
    """Every row the move touches, as plain values."""
    tables = [
        "intake_profile",
        "intake_category",
        "intake_report",
        "intake_attachment",
        "intake_originalkey",
        "cases_case",
        "triage_routingrule",
        "triage_priorityrule",
        "triage_textfingerprint",
        "triage_fingerprintband",
    ]
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            names = [column[0] for column in cursor.description]
            # By column name: rebuilding a table (SQLite) may change column order.
            rows[table] = sorted(
                (
                    {
                        name: bytes(v) if isinstance(v, memoryview) else v
                        for name, v in zip(names, row, strict=True)
                    }
                    for row in cursor.fetchall()
                ),
                key=lambda row: row["id"],
            )
    return rows


@pytest.fixture
def upgraded(submit_report, owner, profile):
    """A report with a kept original submitted on today's code, the schema taken
    back to before the move, more rows written there by the old models, then
    everything migrated forward again."""
    make_staff("sup", default_team().slug, role=Role.SUPERVISOR)
    page = submit_report(
        {"what_happened": TEXT, "files": [upload("jpeg")], "keep_originals": "yes"}
    )
    assert receipt_in(page.content.decode())
    submitted = Case.objects.get()
    try:
        old = migrate(BEFORE)
        OldCategory = old.get_model("intake", "Category")
        OldReport = old.get_model("intake", "Report")
        OldCase = old.get_model("cases", "Case")
        OldBand = old.get_model("triage", "FingerprintBand")
        OldFingerprint = old.get_model("triage", "TextFingerprint")
        OldRule = old.get_model("triage", "PriorityRule")
        category = OldCategory.objects.get(slug="approach")
        report = OldReport.objects.create(
            category=category,
            received_at=submitted.report.received_at,
            answers_encrypted=b"old ciphertext",
            receipt_lookup="f" * 64,
            reporter_key=b"old sealed key",
        )
        case = OldCase.objects.create(
            report=report,
            team_id=submitted.team_id,
            created_at=submitted.created_at,
            status=Status.NEW,
        )
        OldFingerprint.objects.create(case=case, signature=b"\x01" * 512)
        OldBand.objects.bulk_create(
            OldBand(case=case, value=value) for value in range(-3, 3)
        )
        OldRule.objects.create(kind="category", category=category, weight=5)
        # The content type Django recorded for the old model.
        ContentType.objects.get_or_create(app_label="intake", model="report")
        ContentType.objects.filter(app_label="cases", model="report").delete()
        before = snapshot()
    finally:
        latest()
    return {"before": before, "submitted": submitted.pk, "old": case.pk}


@pytest.mark.django_db(transaction=True)
def test_every_row_is_where_it_was_after_the_move(upgraded):
    before = upgraded["before"]
    # Columns added by later migrations (cases.Case.reward_wish) are not compared.
    after = {
        table: [{name: row[name] for name in before[table][0]} for row in rows]
        for table, rows in snapshot().items()
    }
    assert after == before
    assert Profile.objects.filter(slug="national-security").exists()
    assert Category.objects.filter(slug="approach").count() == 1
    assert Report.objects.count() == Case.objects.count() == 2
    assert Attachment.objects.count() == 1
    assert OriginalKey.objects.count() == 1
    assert PriorityRule.objects.get().category.slug == "approach"
    assert RoutingRule.objects.count() == 0
    assert TextFingerprint.objects.filter(case_id=upgraded["old"]).exists()
    assert FingerprintBand.objects.filter(case_id=upgraded["old"]).count() == 6
    # The content type followed the model, so permissions and generic relations do.
    assert ContentType.objects.filter(app_label="cases", model="report").exists()
    assert not ContentType.objects.filter(app_label="intake", model="report").exists()


@pytest.mark.django_db(transaction=True)
def test_staff_still_read_the_report_and_its_file(upgraded, owner):
    page = staff_client(owner).get(f"/staff/cases/{upgraded['submitted']}/")
    assert page.status_code == 200
    assert "shift rota of the radar station" in page.content.decode()
    attachment = Attachment.objects.get()
    file_page = staff_client(owner).get(
        f"/staff/cases/{upgraded['submitted']}/files/{attachment.pk}/"
    )
    assert file_page.status_code == 200
    assert b"".join(file_page.streaming_content)[:3] == b"\xff\xd8\xff"


@pytest.mark.django_db(transaction=True)
def test_a_band_no_longer_holds_its_case_and_the_purge_still_removes_it(upgraded):
    # The foreign key is gone: a band may name any case id (triage knows ids only).
    band_of_no_case(FingerprintBand)
    old = closed_long_ago(Case.objects.get(pk=upgraded["old"]))
    assert retention.purge_due().cases == 1
    assert not TextFingerprint.objects.filter(case_id=old.pk).exists()
    assert not FingerprintBand.objects.filter(case_id=old.pk).exists()
    assert not Report.objects.filter(receipt_lookup="f" * 64).exists()


@pytest.mark.django_db(transaction=True)
def test_going_back_restores_the_old_schema_with_its_data(upgraded):
    try:
        old = migrate(BEFORE)
        OldBand = old.get_model("triage", "FingerprintBand")
        assert OldBand.objects.filter(case_id=upgraded["old"]).count() == 6
        assert snapshot() == upgraded["before"]
        # The old foreign key is back: a band of a case that does not exist fails
        # (when its transaction commits: Django's foreign keys are deferred).
        with pytest.raises(IntegrityError):
            band_of_no_case(OldBand)
    finally:
        latest()
