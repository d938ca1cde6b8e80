"""No report goes dark (issue 11, point 7): a report sent before its team has a
member with a key is shown as unreadable, and the escrow key gives it to staff."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens, make_staff, staff_login
from tipline import crypto
from tipline.accounts import services as accounts
from tipline.accounts.models import Role, User
from tipline.audit.models import AuditEvent
from tipline.audit.services import verify_chain
from tipline.cases.models import Case, CaseKey
from tipline.cli import deployment_check

pytestmark = pytest.mark.django_db

WORDS = "A man photographed the gate at the naval base"


@pytest.fixture
def escrow_key_file():
    return str(settings.SECRETS_DIR / "escrow_private_key")


@pytest.fixture
def dark_case(profile, submit_report) -> Case:
    """A report sent through the form while no staff member exists."""
    assert not User.objects.exists()
    response = submit_report({"what_happened": WORDS})
    assert response.status_code == 200
    case = Case.objects.get()
    assert not CaseKey.objects.filter(case=case).exists()
    return case


@pytest.fixture
def admin_client():
    admin = accounts.create_administrator(
        username="admin", password=PASSWORD, actor=None
    )
    client = Client(enforce_csrf_checks=True)
    staff_login(client, admin)
    return client


def banner(client) -> str:
    html = client.get("/staff/").content.decode()
    start = html.find('id="unreadable-cases"')
    return html[start : html.index("</p>", start)] if start != -1 else ""


def grant(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("escrow", "grant", *args, stdout=out)
    return out.getvalue()


def test_a_report_sent_before_any_staff_is_recovered_and_read(
    dark_case, admin_client, escrow_key_file, capsys
):
    assert deployment_check() == 1
    checklist = capsys.readouterr().out
    assert (
        "[FIX] every report can be read by someone (1 sealed only to the escrow "
        "key: tipline escrow grant --unreadable)" in checklist
    )
    assert (
        "[FIX] every team that receives reports has a member with a key "
        "(none in: triage)" in checklist
    )
    assert "1 report can be read by no one" in banner(admin_client)
    html = admin_client.get("/staff/").content.decode()
    assert 'id="teams-without-readers"' in html
    assert "none of their members has a key: Triage." in html

    analyst = make_staff("analyst", "triage")
    # A member with a key now receives new reports; the old one is still dark.
    html = admin_client.get("/staff/").content.decode()
    assert 'id="teams-without-readers"' not in html
    assert "1 report can be read by no one" in banner(admin_client)

    output = grant(
        "--to", "analyst", "--unreadable", "--escrow-key-file", escrow_key_file
    )

    assert output == f"Granted case {dark_case.pk} to analyst.\n"
    assert banner(admin_client) == ""
    deployment_check()
    assert "[ok] every report can be read by someone\n" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="case.grant.escrow")
    assert event.target == f"case:{dark_case.pk}"
    assert event.detail == {"user": analyst.pk, "username": "analyst"}

    client = Client(enforce_csrf_checks=True)
    staff_login(client, analyst)
    assert (
        f'href="/staff/cases/{dark_case.pk}/"' in client.get("/staff/").content.decode()
    )
    page = client.get(f"/staff/cases/{dark_case.pk}/")
    assert page.status_code == 200
    assert WORDS in page.content.decode()
    assert "Access given with the escrow key" in page.content.decode()
    read = AuditEvent.objects.get(action="case.read")
    assert (read.actor, read.target) == (analyst, f"case:{dark_case.pk}")
    assert verify_chain() is None


def test_the_banner_is_for_administrators_only(dark_case, admin_client):
    analyst = make_staff("analyst", "elsewhere")
    client = Client(enforce_csrf_checks=True)
    staff_login(client, analyst)

    assert "can be read by no one" not in client.get("/staff/").content.decode()
    assert "can be read by no one" not in client.get("/").content.decode()
    assert "1 report can be read by no one" in banner(admin_client)


def test_a_case_whose_only_readers_left_counts_as_unreadable(
    profile, submit_report, owner, admin_client
):
    submit_report({"what_happened": WORDS})
    assert banner(admin_client) == ""

    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert "1 report can be read by no one" in banner(admin_client)


def test_a_named_case_is_granted_and_a_repeat_grants_nothing(
    dark_case, escrow_key_file
):
    make_staff("analyst", "triage")
    make_staff("investigator", "elsewhere", Role.INVESTIGATOR)
    args = ["--case", str(dark_case.pk), "--escrow-key-file", escrow_key_file]

    first = grant("--to", "analyst", "--to", "investigator", *args)
    again = grant("--to", "analyst", *args)

    assert first.splitlines() == [
        f"Granted case {dark_case.pk} to analyst.",
        f"Granted case {dark_case.pk} to investigator.",
    ]
    assert again == "1 grant(s) skipped: access was already held.\n"
    assert CaseKey.objects.filter(case=dark_case).count() == 2
    assert AuditEvent.objects.filter(action="case.grant.escrow").count() == 2


def refused(*args: str, match: str) -> None:
    keys, events = CaseKey.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError, match=match):
        grant(*args)
    assert CaseKey.objects.count() == keys
    assert AuditEvent.objects.count() == events


def test_another_instances_key_is_refused(dark_case, tmp_path):
    make_staff("analyst", "triage")
    other = tmp_path / "other_key"
    other.write_text(crypto.generate_keypair().private.hex() + "\n")

    refused(
        *["--to", "analyst", "--unreadable", "--escrow-key-file", str(other)],
        match="This is not this instance's escrow private key",
    )


@pytest.mark.parametrize(
    "contents",
    ["", "not hex at all", "ab" * 31, "ab" * 33, "-----" + "BEGIN PRIVATE KEY-----"],
)
def test_a_malformed_key_is_refused(dark_case, tmp_path, contents):
    make_staff("analyst", "triage")
    path = tmp_path / "key"
    path.write_text(contents)

    refused(
        *["--to", "analyst", "--unreadable", "--escrow-key-file", str(path)],
        match="This is not an escrow private key: expected 64 hexadecimal digits",
    )


def test_a_missing_key_file_is_refused(dark_case, tmp_path):
    make_staff("analyst", "triage")
    refused(
        *["--to", "analyst", "--unreadable"],
        "--escrow-key-file",
        str(tmp_path / "absent"),
        match="Cannot read the escrow key from",
    )


def test_an_unknown_user_refuses_the_whole_grant(dark_case, escrow_key_file):
    make_staff("analyst", "triage")

    refused(
        *["--to", "analyst", "--to", "nobody", "--unreadable"],
        *["--escrow-key-file", escrow_key_file],
        match="No staff member is named 'nobody'.",
    )


def test_a_user_without_a_key_pair_refuses_the_whole_grant(dark_case, escrow_key_file):
    make_staff("analyst", "triage")
    User.objects.create(username="keyless", role=Role.ANALYST)

    refused(
        *["--to", "analyst", "--to", "keyless", "--unreadable"],
        *["--escrow-key-file", escrow_key_file],
        match="keyless has no key pair yet, so no case can be sealed to them; "
        "nothing was granted.",
    )


def test_a_deactivated_user_refuses_the_whole_grant(dark_case, escrow_key_file):
    make_staff("analyst", "triage")
    gone = make_staff("gone", "triage")
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    refused(
        *["--to", "analyst", "--to", "gone", "--unreadable"],
        *["--escrow-key-file", escrow_key_file],
        match="gone is deactivated; nothing was granted.",
    )


def test_a_case_the_key_cannot_open_refuses_the_whole_grant(
    dark_case, submit_report, escrow_key_file
):
    submit_report({"what_happened": "second report"})
    second = Case.objects.exclude(pk=dark_case.pk).get()
    second.escrow_key = crypto.seal_for_staff(
        b"x" * 32, crypto.generate_keypair().public
    )
    second.save(update_fields=["escrow_key"])
    make_staff("analyst", "triage")

    refused(
        *["--to", "analyst", "--unreadable", "--escrow-key-file", escrow_key_file],
        match=f"The escrow key does not open case {second.pk}; nothing was granted.",
    )


def test_an_unknown_case_number_is_refused(dark_case, escrow_key_file):
    make_staff("analyst", "triage")

    refused(
        *["--to", "analyst", "--case", "999999", "--escrow-key-file", escrow_key_file],
        match="No case numbered 999999.",
    )


def test_with_nothing_unreadable_nothing_is_granted(profile, owner, escrow_key_file):
    output = grant(
        "--to", "owner", "--unreadable", "--escrow-key-file", escrow_key_file
    )

    assert output == "Every case can be read by someone: nothing to grant.\n"


@pytest.mark.live
def test_the_whole_path_through_the_real_server_and_command(tmp_path, live_database):
    """``tipline serve`` warns, ``tipline check`` flags, ``tipline escrow grant``
    reads the key from stdin, and the analyst reads the report over HTTP."""
    live = liveserver.prepare(tmp_path, TIPLINE_PASSWORD=PASSWORD, **live_database)
    with liveserver.running(live):
        reporter = requests.Session()
        html = reporter.get(live.url + "/report/approach/").text
        sent = reporter.post(
            live.url + "/report/approach/",
            data={**form_tokens(html), "what_happened": WORDS},
        )
        assert sent.status_code == 200
    assert "WARNING: Team triage receives reports but has no member with a key" in (
        live.logs()
    )
    with liveserver.running(live):
        pass
    assert "WARNING: 1 report(s) can be read by no one" in live.logs()
    checklist = subprocess.run(
        [*liveserver.TIPLINE, "check"],
        env=live.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checklist.returncode == 1
    assert "[FIX] every report can be read by someone (1 sealed" in checklist.stdout

    live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
    key = (live.data_dir / "secrets" / "escrow_private_key").read_text()
    command = ["escrow", "grant", "--to", "analyst", "--unreadable"]
    granted = subprocess.run(
        [*liveserver.TIPLINE, *command, "--escrow-key-file", "-"],
        env=live.env,
        input=key,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert granted.returncode == 0, granted.stderr
    assert granted.stdout == "Granted case 1 to analyst.\n"

    with liveserver.running(live):
        staff = requests.Session()
        html = staff.get(live.url + "/staff/login/").text
        login = staff.post(
            live.url + "/staff/login/",
            data={**form_tokens(html), "username": "analyst", "password": PASSWORD},
        )
        assert login.status_code == 200
        page = staff.get(live.url + "/staff/cases/1/")
        assert page.status_code == 200
        assert WORDS in page.text


def escrow(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("escrow", *args, stdout=out)
    return out.getvalue()


def test_rotating_reseals_everything_to_the_new_key(
    dark_case, escrow_key_file, tmp_path, settings
):
    owner = make_staff("owner", "triage")
    old_private = bytes.fromhex(Path(escrow_key_file).read_text())
    new_path = tmp_path / "new_escrow_private_key"
    new_public = escrow("keygen", str(new_path)).strip()
    assert oct(new_path.stat().st_mode & 0o777) == "0o600"

    output = escrow(
        "rotate", "--new-public-key", new_public, "--escrow-key-file", escrow_key_file
    )

    assert output.startswith(
        "Re-sealed 1 case key(s), 1 staff key(s) and 0 original(s) to the new "
        "escrow key.\n"
    )
    assert f"TIPLINE_ESCROW_PUBLIC_KEY={new_public}" in output
    dark_case.refresh_from_db()
    owner.refresh_from_db()
    for blob in [dark_case.escrow_key, owner.private_key_escrowed]:
        with pytest.raises(crypto.DecryptionFailed):
            crypto.open_as_staff(bytes(blob), old_private)
    event = AuditEvent.objects.get(action="escrow.rotated")
    assert event.detail == {
        "public_key": new_public,
        "cases": 1,
        "users": 1,
        "originals": 0,
    }
    # The new key now recovers the dark case; the old one is refused.
    settings.ESCROW_PUBLIC_KEY = new_public
    refused(
        *["--to", "owner", "--unreadable", "--escrow-key-file", escrow_key_file],
        match="This is not this instance's escrow private key",
    )
    assert escrow(
        *["grant", "--to", "owner", "--unreadable"],
        *["--escrow-key-file", str(new_path)],
    ) == (f"Granted case {dark_case.pk} to owner.\n")
    assert verify_chain() is None


def test_rotating_with_a_bad_key_changes_nothing(dark_case, escrow_key_file, tmp_path):
    before = bytes(Case.objects.get().escrow_key)
    other = tmp_path / "other"
    other.write_text(crypto.generate_keypair().private.hex())
    new_public = crypto.generate_keypair().public.hex()

    for key_file, public, match in [
        (str(other), new_public, "not this instance's escrow private key"),
        (escrow_key_file, "abcd", "must be 64 hexadecimal digits"),
        (escrow_key_file, settings.ESCROW_PUBLIC_KEY, "is the current one"),
    ]:
        with pytest.raises(CommandError, match=match):
            escrow("rotate", "--new-public-key", public, "--escrow-key-file", key_file)

    assert bytes(Case.objects.get().escrow_key) == before
    assert not AuditEvent.objects.filter(action="escrow.rotated").exists()


def test_keygen_never_overwrites_a_key(tmp_path):
    path = tmp_path / "escrow_private_key"
    path.write_text("keep me")

    with pytest.raises(CommandError, match="Cannot create"):
        escrow("keygen", str(path))

    assert path.read_text() == "keep me"
