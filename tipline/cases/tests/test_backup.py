"""Backup while the service runs; restore into a fresh instance and read a report."""

import contextlib
import json
import os
import re
import shutil
import uuid

import pytest
import requests

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens, receipt_in


def send_report(base, text, files=None):
    session = requests.Session()
    html = session.get(base + "/report/approach/").text
    response = session.post(
        base + "/report/approach/",
        # With files, the reporter chooses to keep the originals too.
        data={
            **form_tokens(html),
            "what_happened": text,
            "keep_originals": "yes" if files else "",
        },
        files=files,
    )
    assert response.status_code == 200
    return receipt_in(response.text)


@contextlib.contextmanager
def fresh_database():
    admin = os.environ.get("TIPLINE_TEST_POSTGRES")
    if not admin:
        yield {}
        return
    with liveserver.postgres_database(admin) as url:
        yield {"TIPLINE_DATABASE_URL": url}


def test_a_backup_taken_while_running_restores_into_a_fresh_instance(
    live_tipline, tmp_path
):
    marker = f"MARKER-{uuid.uuid4().hex}"
    base = live_tipline.url
    receipt = send_report(
        base,
        f"{marker} asked about the night shift",
        files={"files": ("notes.txt", f"{marker} file\n".encode(), "text/plain")},
    )

    output = live_tipline.run("backup", str(tmp_path / "backup")).stdout
    # The scrubbed copy and the sealed original the reporter chose to keep.
    assert "2 files written" in output
    assert audit_actions(live_tipline).count("backup.written") == 1
    after = send_report(base, "sent after the backup was taken")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert len(manifest["files"]) == 2
    # The backup holds ciphertext only.
    for path in (tmp_path / "backup").rglob("*"):
        if path.is_file():
            assert marker.encode() not in path.read_bytes()

    # A new machine: same secrets (kept apart from backups), empty database.
    root = tmp_path / "restored"
    shutil.copytree(live_tipline.data_dir / "secrets", root / "var" / "secrets")
    with fresh_database() as database:
        restored = liveserver.prepare(root, TIPLINE_PASSWORD=PASSWORD, **database)
        result = restored.run("restore", str(tmp_path / "backup"))
        assert "restored the database and 2 files" in result.stdout
        # The restored log ends with the restore, and its chain is intact.
        assert audit_actions(restored)[-1] == "backup.restored"
        restored.run("audit", "verify")
        with liveserver.running(restored):
            staff = requests.Session()
            html = staff.get(restored.url + "/staff/login/").text
            login = staff.post(
                restored.url + "/staff/login/",
                data={
                    **form_tokens(html),
                    "username": "analyst",
                    "password": PASSWORD,
                },
            )
            cases = re.findall(r'href="(/staff/cases/\d+/)"', login.text)
            assert len(cases) == 1
            page = staff.get(restored.url + cases[0]).text
            assert f"{marker} asked about the night shift" in page
            download = re.search(r'href="(/staff/cases/\d+/files/\d+/)"', page)
            assert marker in staff.get(restored.url + download.group(1)).text

            reporter = requests.Session()
            for code, expected in ((receipt, True), (after, False)):
                html = reporter.get(restored.url + "/followup/").text
                opened = reporter.post(
                    restored.url + "/followup/",
                    data={**form_tokens(html), "receipt": code},
                )
                assert (marker in opened.text) is expected


def audit_actions(live):
    code = (
        "from tipline.audit.models import AuditEvent; "
        "print(','.join(AuditEvent.objects.order_by('pk')"
        ".values_list('action', flat=True)))"
    )
    return live.run("manage", "shell", "-c", code).stdout.strip().split(",")


@pytest.mark.django_db
def test_restore_refuses_a_damaged_backup_or_a_full_instance(tmp_path, submit_report):
    from django.core.management import CommandError, call_command
    from django.db import connection

    with pytest.raises(CommandError, match="not a Tipline backup"):
        call_command("restore", str(tmp_path / "nothing"))
    backup = tmp_path / "b"
    backup.mkdir()
    (backup / "manifest.json").write_text(
        json.dumps({"database": connection.vendor, "files": {"evidence/x": "0" * 64}})
    )
    with pytest.raises(CommandError, match="damaged or missing"):
        call_command("restore", str(backup))
    (backup / "manifest.json").write_text(
        json.dumps({"database": connection.vendor, "files": {}, "created_at": "x"})
    )
    submit_report({"what_happened": "Already here."})
    with pytest.raises(CommandError, match="already holds reports"):
        call_command("restore", str(backup))
