"""Everything a staff member sees on a case page, decrypted, with redactions
applied to the working view."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tipline.accounts.models import User
from tipline.cases import services, workflow
from tipline.cases.keys import data_key_for
from tipline.cases.models import Case
from tipline.triage import priority


@dataclass(frozen=True)
class Workspace:
    plain: services.PlainCase
    notes: list[workflow.PlainNote]
    risk_note: str
    keyword_hits: list[str]
    redactions: list[tuple[int, str]]


def read_workspace(*, case: Case, user: User, private_key: bytes) -> Workspace:
    """Decrypt the case for ``user`` (the read is audited) and hide redacted terms."""
    plain = services.read_case(case=case, user=user, private_key=private_key)
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    redactions = workflow.read_redactions(case, data_key)
    terms = [term for _, term in redactions]

    def hide(text: str) -> str:
        return workflow.redact(text, terms)

    def hide_answer(value: object) -> object:
        # Several chosen values (a multiple choice) are questionnaire values, not
        # the reporter's words; they stay values so their labels can be shown.
        return value if isinstance(value, list) else hide(str(value or ""))

    plain = replace(
        plain,
        answers=[
            {**answer, "value": hide_answer(answer.get("value"))}
            for answer in plain.answers
        ],
        messages=[replace(m, body=hide(m.body)) for m in plain.messages],
    )
    notes = [
        replace(note, body=hide(note.body))
        for note in workflow.read_notes(case, data_key)
    ]
    return Workspace(
        plain=plain,
        notes=notes,
        risk_note=hide(workflow.read_risk_note(case, data_key)),
        keyword_hits=priority.read_keyword_hits(case, data_key),
        redactions=redactions,
    )
