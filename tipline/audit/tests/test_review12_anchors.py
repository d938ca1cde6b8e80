"""Review of issue 12, point 7: the anchors a fresh installation writes."""

import pytest
from django.core.management import CommandError, call_command

from tipline.audit import anchors
from tipline.audit import services as audit
from tipline.audit.tasks import write_audit_anchor

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings, tmp_path):
    path = tmp_path / "offsite" / "anchors.log"
    settings.AUDIT_ANCHOR_SINK = str(path)
    settings.AUDIT_ANCHOR_INTERVAL = 0
    anchors.pacer.cache_clear()
    yield path
    anchors.pacer.cache_clear()


def test_an_anchor_of_the_empty_log_does_not_make_an_intact_log_fail(
    sink, capsys, django_capture_on_commit_callbacks
):
    # The worker's hourly anchor runs before anyone has done anything audited
    # (a fresh installation): it writes the head of the empty log, 0:GENESIS.
    write_audit_anchor.call()
    assert f"0:{anchors.GENESIS}" in sink.read_text()
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            audit.record(action="case.read", actor=None, target=f"case:{n}")

    call_command("audit", "verify", "--anchors-file", str(sink))

    said = capsys.readouterr().out
    assert "Audit log intact: 3 entries" in said


def test_a_cut_tail_still_fails_with_an_anchor_of_the_empty_log(
    sink, django_capture_on_commit_callbacks
):
    """The positive control: the genesis anchor must not hide a cut."""
    write_audit_anchor.call()
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            audit.record(action="case.read", actor=None, target=f"case:{n}")
    from tipline.audit.tests.test_anchors import cut_tail

    cut_tail(1)

    with pytest.raises(CommandError, match="shorter than a head kept elsewhere"):
        call_command("audit", "verify", "--anchors-file", str(sink))
