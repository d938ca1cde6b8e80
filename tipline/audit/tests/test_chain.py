import itertools

import pytest
from django.core.management import CommandError, call_command

from tipline.audit import services as audit
from tipline.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    return [
        audit.record(action="case.read", actor=None, target=f"case:{n}")
        for n in range(5)
    ]


def test_an_intact_log_verifies(events, capsys):
    assert audit.verify_chain() is None
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert f"Audit log intact: 5 entries, head {events[-1].entry_hash}." in out


def test_each_entry_chains_to_the_previous_one(events):
    assert events[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.entry_hash


def test_a_hand_edited_row_is_found(events):
    AuditEvent.objects.filter(pk=events[2].pk).update(target="case:999")

    problem = audit.verify_chain()

    assert problem == audit.ChainProblem(events[2].pk, "the entry was altered")
    with pytest.raises(
        CommandError, match=f"entry {events[2].pk}: the entry was altered"
    ):
        call_command("audit", "verify")


def test_a_removed_row_is_found(events):
    AuditEvent.objects.filter(pk=events[1].pk).delete()

    problem = audit.verify_chain()

    assert problem.event_id == events[2].pk
    assert "removed or inserted" in problem.reason


def test_a_removed_last_row_is_found(events):
    AuditEvent.objects.filter(pk=events[-1].pk).delete()

    assert audit.verify_chain() == audit.ChainProblem(
        None, "entries at the end of the log were removed"
    )


def rewrite_from(events, index, target):
    """What an attacker with write access does: edit a row, then recompute every
    hash after it and the head, so the chain alone looks intact again."""
    from tipline.audit.models import ChainHead

    rows = list(AuditEvent.objects.order_by("id"))
    rows[index].target = target
    prev = rows[index - 1].entry_hash if index else audit.GENESIS
    for row in rows[index:]:
        row.prev_hash = prev
        row.entry_hash = audit.entry_hash(row)
        prev = row.entry_hash
    # Unique hashes: clear them first, then write the recomputed ones.
    for row in rows[index:]:
        AuditEvent.objects.filter(pk=row.pk).update(entry_hash=f"x{row.pk}")
    for row in rows[index:]:
        AuditEvent.objects.filter(pk=row.pk).update(
            target=row.target, prev_hash=row.prev_hash, entry_hash=row.entry_hash
        )
    ChainHead.objects.filter(pk=1).update(last_hash=prev)


def test_a_recomputed_rewrite_is_caught_by_a_head_kept_elsewhere(events, capsys):
    call_command("audit", "head")
    kept = capsys.readouterr().out.strip()
    assert kept == f"5:{events[-1].entry_hash}"

    rewrite_from(events, 2, "case:999")

    assert audit.verify_chain() is None  # the chain alone cannot tell
    problem = audit.verify_chain([audit.Anchor.parse(kept)])
    assert problem.event_id == events[-1].pk
    assert "rewritten" in problem.reason
    with pytest.raises(CommandError, match="rewritten"):
        call_command("audit", "verify", "--anchor", kept)


def test_the_worker_keeps_heads_in_a_file_that_verify_reads(
    events, settings, tmp_path, capsys
):
    from tipline.audit.anchors import write_anchor

    settings.AUDIT_ANCHOR_SINK = str(tmp_path / "anchors.log")
    sink = tmp_path / "anchors.log"
    write_anchor()
    audit.record(action="case.read", actor=None, target="case:6")
    write_anchor()

    lines = sink.read_text().splitlines()
    assert [line.split()[2].split(":")[0] for line in lines] == ["5", "6"]
    assert sink.stat().st_mode & 0o777 == 0o600
    call_command("audit", "verify", "--anchors-file", str(sink))
    assert "2 kept heads match" in capsys.readouterr().out

    AuditEvent.objects.filter(pk=AuditEvent.objects.latest("pk").pk).delete()
    from tipline.audit.models import ChainHead

    ChainHead.objects.filter(pk=1).update(count=5, last_hash=events[-1].entry_hash)
    assert audit.verify_chain() is None
    with pytest.raises(CommandError, match="shorter than a head kept elsewhere"):
        call_command("audit", "verify", "--anchors-file", str(sink))


def test_a_malformed_anchor_is_a_clear_error(events):
    with pytest.raises(CommandError, match="not an audit anchor"):
        call_command("audit", "verify", "--anchor", "five:abc")
