"""Every action the code can record has words for staff to read."""

import ast
from pathlib import Path

import pytest
from django.test import Client

import tipline
from testkit.helpers import staff_login
from tipline.audit import actions
from tipline.cases.models import Case, Status
from tipline.cases.workflow import change_status

SOURCE = Path(tipline.__file__).parent
# Functions that pass their `action` on to audit.record.
FORWARDERS = {"audited_refusal"}


def _values(node: ast.expr, codes: set[str], prefixes: set[str]) -> None:
    if isinstance(node, ast.Constant):
        codes.add(node.value)
    elif isinstance(node, ast.IfExp):
        _values(node.body, codes, prefixes)
        _values(node.orelse, codes, prefixes)
    elif isinstance(node, ast.JoinedStr):
        prefixes.add(node.values[0].value.rstrip("."))
    elif isinstance(node, ast.Name) and node.id == "action":
        # A helper forwarding its caller's code (rewards' audited_refusal): the
        # callers' codes are read where they call it.
        pass
    else:
        raise AssertionError(f"an action code this test cannot read: {ast.dump(node)}")


def recorded_actions() -> tuple[set[str], set[str]]:
    """Codes passed to audit.record (or to a helper that records them, named in
    FORWARDERS), and prefixes of codes built with f-strings."""
    codes: set[str] = set()
    prefixes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            records = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            )
            forwards = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in FORWARDERS
            )
            if records or forwards:
                assert isinstance(node, ast.Call)
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        _values(keyword.value, codes, prefixes)
    return codes, prefixes


def test_every_recorded_action_has_a_label():
    codes, prefixes = recorded_actions()
    assert "case.status" in codes
    assert "message.reporter" in codes
    assert {"attachment", "case"} <= prefixes
    assert "reward.decide" in codes  # through audited_refusal

    assert codes - actions.LABELS.keys() == set()
    for prefix in prefixes:
        assert any(code.startswith(prefix + ".") for code in actions.LABELS)


@pytest.mark.django_db
def test_the_case_history_is_in_words(owner, submit_report):
    submit_report({"what_happened": "Someone filmed the loading bay."})
    client = Client()
    staff_login(client, owner)
    case = Case.objects.get()
    change_status(case=case, user=owner, status=Status.ACKNOWLEDGED, version=0)

    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Report received" in page
    assert "Changed the status → Acknowledged" in page
    assert "case.status" not in page
