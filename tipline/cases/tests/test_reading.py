"""One way to read a case (issue 13, point 4): the data key is unsealed once,
the content is decrypted outside any transaction, and the read is recorded in a
transaction that holds the audit chain's lock for the append alone. A priority
rule change rescores the open cases after its transaction, not under that lock.

Each test watches every SQL statement with Django's execute_wrapper and notes
whether a transaction was open when it ran (the tests run without the test
transaction around them, as the server does)."""

from __future__ import annotations

import pytest
from django.db import connection

from testkit.helpers import PASSWORD, make_staff
from tipline.accounts.models import Role
from tipline.accounts.services import unlock_private_key
from tipline.audit.models import AuditEvent, ChainHead
from tipline.cases import rules, workflow, workspace
from tipline.cases.models import Case, CaseKey, Note
from tipline.profiles.models import Category
from tipline.triage.models import PriorityRule

pytestmark = pytest.mark.django_db(transaction=True)

REPORT = {"what_happened": "A stranger offered money for the floor plans of the lab."}
CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "COMMIT", "ROLLBACK")


class Statements:
    """Every statement run inside the block, with whether a transaction was open."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    def in_transaction(self) -> list[str]:
        return [
            sql
            for sql, atomic in self.seen
            if atomic and not sql.lstrip().upper().startswith(CONTROL)
        ]

    def touching(self, table: str) -> list[str]:
        return [sql for sql, _atomic in self.seen if table in sql]


def audit_tables(sql: str) -> bool:
    return any(model._meta.db_table in sql for model in (AuditEvent, ChainHead))


def test_a_case_is_unsealed_once_and_decrypted_outside_the_audit_lock(
    owner, submit_report
):
    submit_report(REPORT)
    case = Case.objects.get()
    private = unlock_private_key(user=owner, password=PASSWORD)
    workflow.add_note(
        case=case,
        user=owner,
        private_key=private,
        body="Called back.",
        token_digest="n1",
    )
    statements = Statements()

    with connection.execute_wrapper(statements):
        space = workspace.read_workspace(case=case, user=owner, private_key=private)

    assert space.plain.answers[0]["value"] == REPORT["what_happened"]
    assert [note.body for note in space.notes] == ["Called back."]
    assert len(statements.touching(CaseKey._meta.db_table)) == 1
    # Nothing but the audit append ran while a transaction (and so the chain
    # head's lock) was held: no decryption waits under it.
    held = statements.in_transaction()
    assert held
    assert all(audit_tables(sql) for sql in held), held
    assert not any(
        Note._meta.db_table in sql or "answers_encrypted" in sql for sql in held
    )
    # The read is recorded once, and the history shown already has it.
    assert AuditEvent.objects.filter(action="case.read").count() == 1
    assert any(event.action == "case.read" for event in space.history)


def test_a_priority_rule_change_rescores_after_its_transaction(
    owner, submit_report, profile
):
    admin_user = make_staff("admin", "triage", role=Role.ADMINISTRATOR)
    submit_report(REPORT)
    case = Case.objects.get()
    before = case.priority
    approach = Category.objects.get(profile=profile, slug="approach")
    statements = Statements()

    with connection.execute_wrapper(statements):
        rules.add_priority_rule(
            user=admin_user,
            rule=PriorityRule(kind="category", category=approach, weight=10),
        )

    case.refresh_from_db()
    assert case.priority == before + 10
    updates = [
        (sql, atomic)
        for sql, atomic in statements.seen
        if sql.lstrip().upper().startswith("UPDATE") and Case._meta.db_table in sql
    ]
    assert updates
    # Each batch of rescored cases is written on its own, after the change (and
    # its audit entry) committed: none under the audit chain's lock.
    lock_released = max(
        index
        for index, (sql, _atomic) in enumerate(statements.seen)
        if ChainHead._meta.db_table in sql
    )
    first_update = statements.seen.index(updates[0])
    assert first_update > lock_released
