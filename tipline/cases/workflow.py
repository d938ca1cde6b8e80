"""Case handling: status and outcome, assignment, notes, risk, access grants and
links between reports (redaction is in ``tipline.cases.redaction``).

Every change made from a staff form carries the case version the form was loaded
with. A change made meanwhile by someone else raises StaleForm and nothing is
written, so two analysts working on the same case never overwrite each other.
Every change is recorded in the audit log in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tipline import crypto
from tipline.accounts.models import Role, User
from tipline.audit import services as audit
from tipline.cases import priority
from tipline.cases.keys import data_key_for, held_beyond_membership
from tipline.cases.models import (
    Case,
    CaseKey,
    CaseLink,
    LinkState,
    Note,
    Outcome,
    Risk,
    Status,
)
from tipline.cases.retention import retention_for
from tipline.triage import duplicates

MAX_NOTE_CHARS = 20_000


class CaseChangeRefused(Exception):
    """A change that the rules do not allow; ``message`` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleForm(CaseChangeRefused):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone changed this case after you opened it. Nothing was saved: "
                "check the case as it is now and try again."
            )
        )


def _change(case: Case, *, version: int, **fields: Any) -> None:
    """Write ``fields`` if the case is still at ``version``; bump the version."""
    updated = Case.objects.filter(pk=case.pk, version=version).update(
        version=F("version") + 1, **fields
    )
    if updated != 1:
        raise StaleForm
    for name, value in fields.items():
        setattr(case, name, value)
    case.version = version + 1


@transaction.atomic
def change_status(
    *, case: Case, user: User, status: str, outcome: str = "", version: int
) -> None:
    """Move the case to ``status``; closing needs an outcome and sets retention."""
    if status not in Status.values or not case.can_move_to(status):
        raise CaseChangeRefused(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": case.get_status_display(),
                "to": Status(status).label if status in Status.values else status,
            }
        )
    if status == Status.CLOSED and outcome not in Outcome.values:
        raise CaseChangeRefused(_("Choose an outcome to close the case."))
    if status != Status.CLOSED and outcome:
        raise CaseChangeRefused(_("Only a closed case has an outcome."))
    now = timezone.now()
    fields: dict[str, Any] = {"status": status, "outcome": outcome}
    if case.acknowledged_at is None:
        fields.update(acknowledged_at=now, acknowledge_due=None)
    if status == Status.CLOSED:
        fields.update(
            closed_at=now, feedback_due=None, purge_after=now + retention_for(outcome)
        )
    elif case.status == Status.CLOSED:
        fields.update(closed_at=None, purge_after=None)
    previous = case.status
    _change(case, version=version, **fields)
    audit.record(
        action="case.status",
        actor=user,
        target=f"case:{case.pk}",
        detail={"from": previous, "to": status, "outcome": outcome},
    )
    if outcome == Outcome.MALICIOUS:
        _keep_only_referral_evidence(case, user)


def _keep_only_referral_evidence(case: Case, user: User) -> None:
    """A knowingly false report keeps what a referral needs (the report, its files,
    the conversation) and loses what was derived from it: the near-duplicate
    fingerprint, keyword matches and duplicate suggestions, so it can never again
    colour how another report about the same people is seen."""
    duplicates.forget(case_ids=[case.pk])
    Case.objects.filter(pk=case.pk).update(keyword_hits_encrypted=None, keyword_floor=0)
    CaseLink.objects.filter(
        Q(case=case) | Q(other=case), state=LinkState.SUGGESTED
    ).delete()
    priority.refresh(case_ids=[case.pk])
    audit.record(action="case.minimised", actor=user, target=f"case:{case.pk}")


def acknowledge_on_reply(case: Case, user: User) -> None:
    """A first staff message acknowledges the case; one while it is under review
    gives the reporter feedback. Runs inside the message's transaction."""
    now = timezone.now()
    if case.status == Status.NEW:
        Case.objects.filter(pk=case.pk).update(
            status=Status.ACKNOWLEDGED,
            acknowledged_at=now,
            acknowledge_due=None,
            version=F("version") + 1,
        )
        audit.record(
            action="case.status",
            actor=user,
            target=f"case:{case.pk}",
            detail={"from": Status.NEW, "to": Status.ACKNOWLEDGED, "outcome": ""},
        )
        case.status = Status.ACKNOWLEDGED
    elif case.status == Status.UNDER_REVIEW and case.feedback_due is not None:
        Case.objects.filter(pk=case.pk).update(feedback_due=None)
        case.feedback_due = None


@transaction.atomic
def assign_case(*, case: Case, user: User, assignee: User | None, version: int) -> None:
    """Make ``assignee`` responsible for the case (None: nobody)."""
    if (
        assignee is not None
        and not CaseKey.objects.filter(case=case, user=assignee).exists()
    ):
        raise CaseChangeRefused(
            _("%(name)s cannot read this case, so it cannot be assigned to them.")
            % {"name": assignee.get_username()}
        )
    _change(case, version=version, assignee=assignee)
    audit.record(
        action="case.assign",
        actor=user,
        target=f"case:{case.pk}",
        detail={"assignee": assignee.pk if assignee else None},
    )


def add_note(
    *, case: Case, user: User, private_key: bytes, body: str, token_digest: str
) -> Note | None:
    """An internal note, encrypted like messages. None if this form was sent."""
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    note = Note(
        case=case, author=user, created_at=timezone.now(), form_token_hash=token_digest
    )
    note.body_encrypted = crypto.encrypt(
        data_key, body.encode("utf-8"), context=note.context()
    )
    try:
        with transaction.atomic():
            note.save()
            audit.record(action="note.add", actor=user, target=f"case:{case.pk}")
    except IntegrityError:
        if Note.objects.filter(form_token_hash=token_digest).exists():
            return None
        raise
    return note


@dataclass(frozen=True)
class PlainNote:
    author_name: str
    body: str
    created_at: datetime


def read_notes(case: Case, data_key: bytes) -> list[PlainNote]:
    return [
        PlainNote(
            author_name=note.author.get_username() if note.author else "",
            body=crypto.decrypt(
                data_key, bytes(note.body_encrypted), context=note.context()
            ).decode("utf-8"),
            created_at=note.created_at,
        )
        for note in case.notes.select_related("author")
    ]


@transaction.atomic
def assess_risk(
    *,
    case: Case,
    user: User,
    private_key: bytes,
    risk: str,
    note: str,
    version: int,
) -> None:
    """Record the retaliation-risk assessment for the reporter (ISO 37002)."""
    if risk not in Risk.values or risk == Risk.UNASSESSED:
        raise CaseChangeRefused(_("Choose a risk level."))
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    sealed = crypto.encrypt(
        data_key, note.encode("utf-8"), context=case.risk_note_context()
    )
    _change(case, version=version, risk=risk, risk_note_encrypted=sealed)
    audit.record(
        action="case.risk", actor=user, target=f"case:{case.pk}", detail={"risk": risk}
    )


def read_risk_note(case: Case, data_key: bytes) -> str:
    if case.risk_note_encrypted is None:
        return ""
    return crypto.decrypt(
        data_key, bytes(case.risk_note_encrypted), context=case.risk_note_context()
    ).decode("utf-8")


@transaction.atomic
def grant_access(
    *, case: Case, supervisor: User, private_key: bytes, grantee: User
) -> None:
    """Re-seal the case's data key to a colleague outside the team (audited)."""
    if supervisor.role != Role.SUPERVISOR:
        raise CaseChangeRefused(_("Only a supervisor can give access to a case."))
    if not grantee.is_active or not grantee.has_keys:
        raise CaseChangeRefused(
            _(
                "%(name)s has not set up their account yet, so they cannot be given "
                "access."
            )
            % {"name": grantee.get_username()}
        )
    if CaseKey.objects.filter(case=case, user=grantee).exists():
        raise CaseChangeRefused(
            _("%(name)s can already read this case.") % {"name": grantee.get_username()}
        )
    data_key = data_key_for(case=case, user=supervisor, private_key=private_key)
    CaseKey.objects.create(
        case=case,
        user=grantee,
        granted_by=supervisor,
        sealed_key=crypto.seal_for_staff(data_key, grantee.public_key_bytes()),
    )
    audit.record(
        action="case.grant",
        actor=supervisor,
        target=f"case:{case.pk}",
        detail={"user": grantee.pk},
    )


@transaction.atomic
def revoke_access(*, case: Case, supervisor: User, grantee: User) -> None:
    """Take back a grant. Members of the case's team keep their access."""
    if supervisor.role != Role.SUPERVISOR:
        raise CaseChangeRefused(_("Only a supervisor can take access away."))
    deleted, _rows = CaseKey.objects.filter(
        held_beyond_membership(), case=case, user=grantee
    ).delete()
    if not deleted:
        raise CaseChangeRefused(
            _("%(name)s has no access given to them on this case.")
            % {"name": grantee.get_username()}
        )
    if case.assignee_id == grantee.pk:
        Case.objects.filter(pk=case.pk).update(assignee=None, version=F("version") + 1)
    audit.record(
        action="case.revoke",
        actor=supervisor,
        target=f"case:{case.pk}",
        detail={"user": grantee.pk},
    )


def record_suggestions(*, case: Case, similar: list[tuple[int, float]]) -> None:
    """Store likely duplicates found at intake (inside the report's transaction)."""
    CaseLink.objects.bulk_create(
        CaseLink(case=case, other_id=other_id, similarity=round(score, 3))
        for other_id, score in similar
    )


@transaction.atomic
def decide_link(
    *, case: Case, user: User, other: Case, decision: str, version: int
) -> None:
    """Link, merge or dismiss a likely duplicate (or link any readable case).

    Linking puts both cases in one group (the earliest case's id). Merging links
    and closes this case as a duplicate of the other.
    """
    if other.pk == case.pk:
        raise CaseChangeRefused(_("A case cannot be linked to itself."))
    if decision not in ("link", "merge", "dismiss"):
        raise CaseChangeRefused(_("Choose link, merge or dismiss."))
    state = LinkState.DISMISSED if decision == "dismiss" else LinkState.LINKED
    now = timezone.now()
    link = CaseLink.objects.filter(
        Q(case=case, other=other) | Q(case=other, other=case)
    ).first()
    if link is None:
        link = CaseLink(case=case, other=other)
    link.state, link.decided_by, link.decided_at = state, user, now
    if decision == "merge":
        change_status(
            case=case,
            user=user,
            status=Status.CLOSED,
            outcome=Outcome.DUPLICATE,
            version=version,
        )
    else:
        _change(case, version=version)
    link.save()
    if state == LinkState.LINKED:
        _join_groups(case, other)
    audit.record(
        action=f"case.{decision}",
        actor=user,
        target=f"case:{case.pk}",
        detail={"other": other.pk},
    )
    priority.refresh(case_ids=[case.pk, other.pk])


def _join_groups(case: Case, other: Case) -> None:
    """Put both cases and everything already linked to them in one group, named
    after its earliest case."""
    groups = {case.group_id or case.pk, other.group_id or other.pk}
    lead = min(groups)
    Case.objects.filter(Q(pk__in=groups) | Q(group_id__in=groups)).update(group_id=lead)
    case.group_id = other.group_id = lead
