"""A reporter's times are kept only to the hour; staff times stay exact.

Through HTTP with the clock frozen at known instants (time-machine), so every
stored and shown time can be compared with the moment it was caused. The test
that searches a real server's database, files and logs for any finer time is in
test_coarse_times_at_rest.py.
"""

import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from testkit.helpers import form_tokens, make_staff, post_form, receipt_in, staff_login
from tipline.accounts.models import Role
from tipline.accounts.services import default_team
from tipline.audit import services as audit
from tipline.audit.models import AuditEvent
from tipline.cases.models import Attachment, Case, Message, Report
from tipline.intake.tests.samples import gps_jpeg

pytestmark = pytest.mark.django_db

HOUR = datetime(2026, 3, 14, 15, tzinfo=UTC)
REPORTED = datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)
STAFF_REPLY = datetime(2026, 3, 14, 15, 23, 41, 271828, tzinfo=UTC)
REPORTER_AGAIN = datetime(2026, 3, 14, 15, 47, 5, 161803, tzinfo=UTC)
SHOWN_HOUR = "2026-03-14 15:00\N{EN DASH}16:00"


def frozen(at):
    return time_machine.travel(at, tick=False)


def photo(name="gate.jpg"):
    return SimpleUploadedFile(name, gps_jpeg(), content_type="image/jpeg")


def note(name="notes.txt"):
    return SimpleUploadedFile(name, b"plate ABC 123\n", content_type="text/plain")


def report(client, files=()):
    url = "/report/approach/"
    answers = {"what_happened": "He photographed the gate.", "files": list(files)}
    response = post_form(client, url, url, answers)
    assert response.status_code == 200, response.content.decode()[:2000]
    return receipt_in(response.content.decode())


def reporter_message(client, receipt, body, files=()):
    page = post_form(client, "/followup/", "/followup/", {"receipt": receipt})
    assert page.status_code == 200
    data = {**form_tokens(page.content.decode()), "receipt": receipt, "body": body}
    response = client.post("/followup/message/", {**data, "files": list(files)})
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def staff_reply(client, case, body):
    url = f"/staff/cases/{case.pk}/"
    response = post_form(client, url, url + "reply/", {"body": body})
    assert response.status_code in (200, 302), response.content.decode()[:2000]


def stored_paths():
    root = Path(default_storage.location)
    return [root, *root.rglob("*")] if root.exists() else []


@pytest.fixture(autouse=True)
def empty_file_store():
    """Files of earlier tests would carry their own times."""
    shutil.rmtree(Path(default_storage.location) / "evidence", ignore_errors=True)


@pytest.fixture
def staff_client(owner):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    return client


@pytest.fixture
def journey(browser_client, staff_client):
    """A report with two files at 15:09:26, a staff reply at 15:23:41, and a
    reporter message with a file at 15:47:05, all on 2026-03-14."""
    with frozen(REPORTED):
        receipt = report(browser_client, [photo(), note()])
    case = Case.objects.get()
    with frozen(STAFF_REPLY):
        staff_reply(staff_client, case, "Thank you. Which gate?")
    with frozen(REPORTER_AGAIN):
        reporter_message(browser_client, receipt, "Gate 2, north side.", [photo()])
    return receipt, case


def test_every_reporter_row_carries_only_the_hour(journey):
    _, case = journey

    assert Report.objects.get().received_at == HOUR
    assert case.created_at == HOUR
    assert case.acknowledge_due == HOUR.replace(day=21)
    assert [a.created_at for a in Attachment.objects.all()] == [HOUR] * 3
    reporter = Message.objects.get(author_kind="reporter")
    assert reporter.created_at == HOUR
    received = AuditEvent.objects.get(action="report.received")
    from_reporter = AuditEvent.objects.get(action="message.reporter")
    assert (received.at, from_reporter.at) == (HOUR, HOUR)


def test_staff_actions_keep_their_exact_time(journey):
    _, case = journey

    staff = Message.objects.get(author_kind="staff")
    assert staff.created_at == STAFF_REPLY
    assert AuditEvent.objects.get(action="message.staff").at == STAFF_REPLY
    case.refresh_from_db()
    assert case.acknowledged_at == STAFF_REPLY


def test_stored_files_and_their_folders_carry_only_the_hour(journey):
    paths = stored_paths()
    blobs = [path for path in paths if path.is_file()]

    names = [
        name
        for row in Attachment.objects.all()
        for name in (row.blob_name, row.original_blob_name)
        if name
    ]
    assert len(names) >= 3
    assert sorted(str(p.relative_to(default_storage.location)) for p in blobs) == (
        sorted(names)
    )
    for path in blobs:
        times = os.stat(path)
        assert (times.st_mtime, times.st_atime) == (HOUR.timestamp(),) * 2, path
    # Folders: modification times (listing them here just updated their access
    # times, as any later reader's listing would).
    folders = [path for path in paths if path.is_dir()]
    assert len(folders) >= 3
    assert {os.stat(path).st_mtime for path in folders} == {HOUR.timestamp()}


def test_the_audit_chain_still_verifies_with_coarse_and_exact_entries(journey):
    times = list(AuditEvent.objects.order_by("id").values_list("at", flat=True))

    # Not in time order: the reporter's later message carries an earlier hour.
    assert times != sorted(times)
    assert audit.verify_chain([audit.current_anchor()]) is None
    # A coarse time is covered by the hash like any other: moving it is caught.
    AuditEvent.objects.filter(action="message.reporter").update(at=REPORTER_AGAIN)
    problem = audit.verify_chain()
    assert problem is not None
    assert problem.reason == "the entry was altered"


def conversation(html):
    return re.findall(r"Which gate\?|Gate 2, north side\.|First: the plate", html)


def test_the_conversation_keeps_the_written_order_within_one_hour(
    journey, browser_client, staff_client
):
    receipt, case = journey
    with frozen(REPORTER_AGAIN.replace(minute=58)):
        reporter_message(browser_client, receipt, "First: the plate is ABC 123.")

    reporter_page = post_form(
        browser_client, "/followup/", "/followup/", {"receipt": receipt}
    )
    staff_page = staff_client.get(f"/staff/cases/{case.pk}/")

    written = ["Which gate?", "Gate 2, north side.", "First: the plate"]
    assert conversation(reporter_page.content.decode()) == written
    assert conversation(staff_page.content.decode()) == written
    # Two reporter messages in the same hour: same time, still in written order.
    assert [m.created_at for m in case.messages.all()] == [STAFF_REPLY, HOUR, HOUR]


def test_a_reporter_message_before_a_staff_reply_in_the_hour_comes_first(
    browser_client, staff_client
):
    with frozen(REPORTED):
        receipt = report(browser_client)
        reporter_message(browser_client, receipt, "Gate 2, north side.")
    case = Case.objects.get()
    with frozen(STAFF_REPLY):
        staff_reply(staff_client, case, "Thank you. Which gate?")

    page = post_form(browser_client, "/followup/", "/followup/", {"receipt": receipt})

    assert conversation(page.content.decode()) == ["Gate 2, north side.", "Which gate?"]


def test_pages_show_reporter_times_as_the_hour_and_staff_times_to_the_minute(
    journey, browser_client, staff_client, profile
):
    receipt, case = journey
    started = timezone.localtime()
    admin = make_staff("admin", default_team().slug, role=Role.ADMINISTRATOR)
    admin_client = Client(enforce_csrf_checks=True)
    staff_login(admin_client, admin)

    reporter_page = post_form(
        browser_client, "/followup/", "/followup/", {"receipt": receipt}
    ).content.decode()
    staff_page = staff_client.get(f"/staff/cases/{case.pk}/").content.decode()
    inbox = staff_client.get("/staff/").content.decode()
    audit_log = admin_client.get("/staff/audit/").content.decode()
    clock = {f"{t:%H:%M}" for t in (started, timezone.localtime())}

    for html in (reporter_page, staff_page, inbox, audit_log):
        assert SHOWN_HOUR in html
        for finer in ("15:09", "15:47"):
            assert f"2026-03-14 {finer}" not in html
            assert f"2026-03-14T{finer}" not in html
            # Nor alone, unless the wall clock (which pages may show, as the end
            # of a staff session) reads that minute while the test runs.
            if finer not in clock:
                assert finer not in html
    assert "2026-03-14 15:23" in reporter_page
    # Staff times to the minute on pages, in the machine-readable form too.
    assert '<time datetime="2026-03-14T15:23:00+00:00">' in reporter_page
    assert "15:23:41" not in reporter_page + staff_page
    assert "2026-03-14 15:23" in staff_page
    assert "2026-03-14 15:23:41" in audit_log
    assert "The times of your messages are kept only to the hour" in reporter_page
    assert "The reporter's times are kept only to the hour" in staff_page
    assert "Times of the reporter's actions are kept only to the hour" in (audit_log)
    # The received time and the reporter's entries in the history are hours too.
    history = staff_page.split("History", 1)[1]
    assert history.count(SHOWN_HOUR) == 2
    assert history.count("2026-03-14 15:23") >= 1


def test_the_api_gives_each_time_with_its_precision(journey):
    receipt, _ = journey
    app = Client(enforce_csrf_checks=True)

    response = app.post(
        "/api/v1/followup",
        json.dumps({"receipt": receipt}),
        content_type="application/json",
    )

    assert response.status_code == 200
    messages = [
        (m["sender"], m["created_at"], m["time_precision"])
        for m in response.json()["messages"]
    ]
    assert messages == [
        ("staff", "2026-03-14T15:23:00Z", "minute"),
        ("you", "2026-03-14T15:00:00Z", "hour"),
    ]


def test_the_upgrade_rounds_existing_upload_times_to_the_hour(browser_client, owner):
    """Uploads stored before this change had exact times in rows and files."""
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    with frozen(REPORTED):
        report(browser_client, [photo(), note()])
    exact = REPORTED.timestamp()
    Attachment.objects.update(created_at=REPORTED)
    blobs = [path for path in stored_paths() if path.is_file()]
    for path in blobs:
        os.utime(path, (exact, exact))
    missing = Attachment.objects.first()
    Attachment.objects.filter(pk=missing.pk).update(blob_name="evidence/00/gone")

    migration = import_module("tipline.intake.migrations.0006_coarse_attachment_times")
    # What RunPython hands the function: the models as they were at that
    # migration (intake owned Attachment then), and the schema editor, for its
    # connection.
    state = MigrationLoader(connection).project_state(migration.Migration.dependencies)
    migration.coarsen(state.apps, SimpleNamespace(connection=connection))

    assert {a.created_at for a in Attachment.objects.all()} == {HOUR}
    # The row now names a file that is gone (skipped); its old file is no
    # upload's any more, and keeps its time.
    untouched = default_storage.path(missing.blob_name)
    for path in blobs:
        expected = exact if str(path) == untouched else HOUR.timestamp()
        assert os.stat(path).st_mtime == expected, path
