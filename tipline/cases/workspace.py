"""Everything a staff member sees on a case page, decrypted, with redactions
applied to all of it: answers, messages, notes, the risk note, file names,
keyword matches, priority reasons and the history (issue 12, point 5).

This is the one way staff read a case's content. The case's data key is unsealed
once; everything is decrypted outside any transaction; then the read is recorded
in the audit log in a transaction of its own, which holds the audit chain's lock
(tipline.audit.services) only for the append. Before, the read was recorded
first and the whole case decrypted inside that transaction, so on SQLite every
report and sign-in waited for a staff member's page to decrypt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases import priority, redaction, selectors, services, workflow
from tipline.cases.keys import data_key_for
from tipline.cases.models import Case


@dataclass(frozen=True)
class Workspace:
    plain: services.PlainCase
    notes: list[workflow.PlainNote]
    risk_note: str
    keyword_hits: list[str]
    priority: priority.Explained
    redactions: list[redaction.HiddenTerm]
    history: list[AuditEvent]


def read_workspace(*, case: Case, user: User, private_key: bytes) -> Workspace:
    """Decrypt the case for ``user`` and hide redacted terms; the read is audited
    once everything decrypted, and nothing is shown if that record fails."""
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    plain = services.decrypt_case(case, data_key)
    redactions = redaction.read_redactions(case, data_key)
    hide = redaction.Redactor([term for _, term in redactions])
    keywords = priority.read_keyword_hits(case, data_key)
    explained = priority.explain(case, keywords)
    notes = workflow.read_notes(case, data_key)
    risk_note = workflow.read_risk_note(case, data_key)
    services.record_read(case=case, user=user)
    history = selectors.history_of(case)  # with this read in it
    for event in history:
        event.summary = hide(event.summary)
    return Workspace(
        plain=_hidden_case(plain, hide),
        notes=[replace(note, body=hide(note.body)) for note in notes],
        risk_note=hide(risk_note),
        keyword_hits=[hide(word) for word in keywords.words],
        priority=replace(
            explained,
            reasons=[(hide(text), points) for text, points in explained.reasons],
        ),
        redactions=[hidden for hidden, _ in redactions],
        history=history,
    )


def _hidden_case(
    plain: services.PlainCase, hide: redaction.Redactor
) -> services.PlainCase:
    def hide_answer(value: object) -> object:
        # Several chosen values (a multiple choice) are questionnaire values, not
        # the reporter's words; they stay values so their labels can be shown.
        return value if isinstance(value, list) else hide(str(value or ""))

    def hide_files(
        files: list[services.PlainAttachment],
    ) -> list[services.PlainAttachment]:
        return [
            replace(f, details={**f.details, "name": hide(f.details.get("name", ""))})
            for f in files
        ]

    return replace(
        plain,
        answers=[
            {**answer, "value": hide_answer(answer.get("value"))}
            for answer in plain.answers
        ],
        messages=[
            replace(m, body=hide(m.body), attachments=hide_files(m.attachments))
            for m in plain.messages
        ],
        attachments=hide_files(plain.attachments),
    )
