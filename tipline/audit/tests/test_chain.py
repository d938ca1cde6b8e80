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
