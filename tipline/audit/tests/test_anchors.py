"""The audit log's tail: signed heads written outside the database, often, by the
web processes themselves, and a verifier that says what it could and could not
check (issue 12, point 7)."""

import hashlib
import hmac
import socket
import subprocess
import time

import pytest
import requests
from django.core.management import CommandError, call_command

from testkit import liveserver
from testkit.helpers import form_tokens
from tipline.audit import anchors
from tipline.audit import services as audit
from tipline.audit.models import AuditEvent, ChainHead

pytestmark = pytest.mark.django_db

CUT_TAIL = (
    "from tipline.audit.models import AuditEvent, ChainHead\n"
    "keep = list(AuditEvent.objects.order_by('id'))[:-2]\n"
    "AuditEvent.objects.filter(id__gt=keep[-1].id).delete()\n"
    "ChainHead.objects.filter(pk=1).update("
    "count=len(keep), last_hash=keep[-1].entry_hash)\n"
)


@pytest.fixture
def sink(settings, tmp_path):
    path = tmp_path / "offsite" / "anchors.log"
    settings.AUDIT_ANCHOR_SINK = str(path)
    settings.AUDIT_ANCHOR_INTERVAL = 0
    anchors.pacer.cache_clear()
    yield path
    anchors.pacer.cache_clear()


def cut_tail(entries):
    """What someone with database access does: delete the newest entries and
    rewind the head row, so the chain alone verifies."""
    keep = list(AuditEvent.objects.order_by("id"))[:-entries]
    AuditEvent.objects.filter(id__gt=keep[-1].id).delete()
    ChainHead.objects.filter(pk=1).update(
        count=len(keep), last_hash=keep[-1].entry_hash
    )


def record_committed(django_capture_on_commit_callbacks, count):
    for n in range(count):
        with django_capture_on_commit_callbacks(execute=True):
            audit.record(action="case.read", actor=None, target=f"case:{n}")


@pytest.mark.live
def test_a_real_server_anchors_its_writes_and_a_cut_tail_fails_verify(
    tmp_path, live_database
):
    sink = tmp_path / "offsite" / "anchors.log"  # outside the data directory
    live = liveserver.prepare(
        tmp_path / "site",
        TIPLINE_AUDIT_ANCHOR_SINK=str(sink),
        TIPLINE_AUDIT_ANCHOR_INTERVAL="0",
        **live_database,
    )
    with liveserver.running(live):
        session = requests.Session()
        for n in range(3):
            html = session.get(live.url + "/report/approach/").text
            sent = session.post(
                live.url + "/report/approach/",
                data={**form_tokens(html), "what_happened": f"a stranger, {n}"},
            )
            assert sent.status_code == 200
    head = live.run("audit", "head").stdout.strip()
    assert sink.read_text().splitlines()[-1].split()[2] == head

    live.run("manage", "shell", "-c", CUT_TAIL)

    alone = live.run("audit", "verify").stdout
    assert "Audit log intact" in alone
    assert "No kept head to check against" in alone
    with pytest.raises(subprocess.CalledProcessError) as failed:
        live.run("audit", "verify", "--anchors-file", str(sink))
    count = int(head.split(":")[0])
    assert (
        "Audit log broken at the end of the log: the log is shorter than a head "
        f"kept elsewhere (entries removed): it has {count - 2} entries, the head "
        "written "
    ) in failed.value.stderr
    assert f"counts {count}" in failed.value.stderr


def test_a_cut_tail_fails_against_the_anchors_file(
    sink, django_capture_on_commit_callbacks, capsys
):
    record_committed(django_capture_on_commit_callbacks, 5)
    call_command("audit", "verify", "--anchors-file", str(sink))
    assert "5 kept heads match, the newest at 5 (written " in capsys.readouterr().out

    cut_tail(2)

    assert audit.verify_chain() is None  # the chain alone cannot tell
    with pytest.raises(CommandError, match=r"it has 3 entries, the head .* counts 5"):
        call_command("audit", "verify", "--anchors-file", str(sink))


def test_each_line_is_signed_with_the_anchor_key(sink, settings):
    audit.record(action="case.read", actor=None, target="case:1")
    anchors.write_anchor()

    line = sink.read_text().strip()
    mark, at, head, mac = line.split()
    key = settings.AUDIT_ANCHOR_KEY.encode()
    body = f"{mark} {at} {head}".encode()
    assert mac == hmac.new(key, body, hashlib.sha256).hexdigest()
    assert head == str(audit.current_anchor())


@pytest.mark.parametrize(
    "forge",
    [
        # An invented head for the cut log, signed with a guessed key.
        lambda at, head: (
            anchors.MARK
            + f" {at} {head} "
            + hmac.new(
                b"guess", f"{anchors.MARK} {at} {head}".encode(), "sha256"
            ).hexdigest()
        ),
        # A genuine signature moved onto another head.
        lambda at, head: None,
        # An old-style bare head, with and without a time.
        lambda at, head: f"{at} {head}",
        lambda at, head: head,
        # A truncated signature.
        lambda at, head: f"{anchors.MARK} {at} {head} abc",
    ],
)
def test_a_forged_anchor_line_is_refused(
    sink, django_capture_on_commit_callbacks, forge
):
    record_committed(django_capture_on_commit_callbacks, 3)
    genuine = sink.read_text().splitlines()
    cut_tail(1)
    at = genuine[-1].split()[1]
    head = str(audit.current_anchor())
    forged = forge(at, head)
    if forged is None:
        mark, at, _, mac = genuine[-1].split()
        forged = f"{mark} {at} {head} {mac}"
    # The attacker replaces the file with heads that fit the cut log.
    sink.write_text(genuine[0] + "\n" + forged + "\n")

    with pytest.raises(CommandError, match=r"anchors\.log: line 2: "):
        call_command("audit", "verify", "--anchors-file", str(sink))


def test_verify_without_anchors_says_what_it_did_not_check(sink, capsys):
    audit.record(action="case.read", actor=None, target="case:1")

    call_command("audit", "verify")

    out = capsys.readouterr().out
    assert "Audit log intact: 1 entries" in out
    assert (
        "No kept head to check against: this shows no entry was edited, not that "
        "the newest were cut off with the head rewound."
    ) in out


def test_an_anchors_file_with_no_anchor_fails(sink):
    audit.record(action="case.read", actor=None, target="case:1")
    sink.parent.mkdir()
    sink.write_text("# emptied by someone\n")

    with pytest.raises(CommandError, match="holds no signed anchor"):
        call_command("audit", "verify", "--anchors-file", str(sink))


def test_a_syslog_export_verifies(settings, tmp_path, capsys):
    address = tmp_path / "log.sock"
    collector = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    collector.bind(str(address))
    collector.settimeout(5)
    settings.AUDIT_ANCHOR_SINK = f"syslog:{address}"
    audit.record(action="case.read", actor=None, target="case:1")

    anchors.write_anchor()

    received = collector.recv(4096).decode()
    collector.close()
    assert anchors.MARK in received
    assert received.startswith("<")  # a syslog priority
    export = tmp_path / "journal.txt"
    export.write_text(f"Dec  1 22:00:00 host sshd[1]: unrelated\n{received}\n")
    call_command("audit", "verify", "--anchors-file", str(export))
    assert "1 kept heads match, the newest at 1" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_writes_are_anchored_at_most_once_per_interval_and_the_newest_soon(
    sink, settings
):
    # Long enough that three writes fall in one interval on a loaded machine
    # (0.5 s was not, once, on CI).
    settings.AUDIT_ANCHOR_INTERVAL = 3
    for n in range(3):
        audit.record(action="case.read", actor=None, target=f"case:{n}")

    def counts():
        return [
            int(line.split()[2].split(":")[0])
            for line in sink.read_text().split("\n")
            if line
        ]

    assert counts() == [1]
    # The pause ends: one trailing anchor, in its own thread.
    deadline = time.monotonic() + 30
    while counts() == [1] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert counts() == [1, 3]


def test_a_broken_sink_does_not_break_the_write(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.AUDIT_ANCHOR_SINK = "/proc/no-such-place/anchors.log"
    settings.AUDIT_ANCHOR_INTERVAL = 0
    anchors.pacer.cache_clear()

    with django_capture_on_commit_callbacks(execute=True):
        event = audit.record(action="case.read", actor=None, target="case:1")

    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert "audit anchor not written" in caplog.text
    anchors.pacer.cache_clear()


def test_a_sink_that_is_off_writes_nothing(settings, tmp_path):
    settings.AUDIT_ANCHOR_SINK = "off"

    assert anchors.write_anchor() is None
