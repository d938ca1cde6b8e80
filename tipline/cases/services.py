"""The staff side: opening cases, reading them, and messages with the reporter."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tipline import crypto
from tipline.accounts.models import NO_CASE_ACCESS, Role, Team, User
from tipline.accounts.services import escrow_public_key
from tipline.audit import services as audit
from tipline.cases import evidence, priority, redaction, workflow
from tipline.cases.keys import data_key_for
from tipline.cases.models import (
    Attachment,
    Author,
    Case,
    CaseKey,
    Channel,
    Message,
    Report,
)
from tipline.lib.clock import coarse_now

MAX_MESSAGE_CHARS = 20_000


@dataclass(frozen=True)
class PlainAttachment:
    id: int
    details: dict[str, Any]


@dataclass(frozen=True)
class PlainMessage:
    author_kind: str
    author_name: str
    body: str
    created_at: datetime
    attachments: list[PlainAttachment]

    @property
    def time_is_coarse(self) -> bool:
        """The reporter's messages carry only the hour (tipline.lib.clock)."""
        return self.author_kind == Author.REPORTER


@dataclass(frozen=True)
class PlainCase:
    case: Case
    answers: list[dict[str, Any]]
    messages: list[PlainMessage]
    attachments: list[PlainAttachment]


@dataclass(frozen=True)
class IntakeTriage:
    """What intake works out while the report's text is in memory."""

    acknowledge_due: datetime | None = None
    feedback_due: datetime | None = None
    priority: int = 0
    keyword_floor: int = 0
    keyword_hits: list[tuple[str, int]] = field(default_factory=list)
    similar: list[tuple[int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class SealedKeys:
    """A data key sealed to the escrow key and to each reader (user id, blob)."""

    escrow: bytes
    readers: list[tuple[int, bytes]]


def seal_for_team(*, team: Team, data_key: bytes) -> SealedKeys:
    """Seal ``data_key`` to every active member of ``team`` with a key pair, and to
    the escrow key. Done before the report's transaction, to keep it short."""
    members = (
        User.objects.filter(team=team, is_active=True, public_key__isnull=False)
        .exclude(role__in=NO_CASE_ACCESS)
        .values_list("id", "public_key")
    )
    return SealedKeys(
        escrow=crypto.seal_for_staff(data_key, escrow_public_key()),
        readers=[
            (user_id, crypto.seal_for_staff(data_key, bytes(public_key)))
            for user_id, public_key in members
            if public_key is not None  # as filtered: for the type checker
        ],
    )


# savepoint=False: the case is part of its report's transaction, whole or not at all.
@transaction.atomic(savepoint=False)
def open_case(
    *,
    report: Report,
    team: Team,
    sealed: SealedKeys,
    data_key: bytes,
    triage: IntakeTriage | None = None,
    reward_wish: bool = False,
    channel: Channel = Channel.WEB,
) -> Case:
    """Create the case for a new report with its data key sealed as ``sealed``;
    ``reward_wish``: the reporter asked to be considered for a reward;
    ``channel``: how the report arrived (counted on the statistics page)."""
    triage = triage or IntakeTriage()
    case = Case.objects.create(
        report=report,
        team=team,
        created_at=report.received_at,
        escrow_key=sealed.escrow,
        acknowledge_due=triage.acknowledge_due,
        feedback_due=triage.feedback_due,
        priority=triage.priority,
        keyword_floor=triage.keyword_floor,
        keyword_hits_encrypted=(
            priority.seal_keyword_hits(triage.keyword_hits, data_key, report.pk)
            if triage.keyword_hits
            else None
        ),
        reward_wish=reward_wish,
        channel=channel,
    )
    workflow.record_suggestions(case=case, similar=triage.similar)
    # The readers were sealed to before this transaction: someone who left the
    # team (or was deactivated) since gets no key. Their rows are locked, so a
    # change in progress commits first (offboarding locks the same row).
    still_members = set(
        User.objects.select_for_update()
        .filter(pk__in=[user_id for user_id, _ in sealed.readers])
        .filter(team=team, is_active=True)
        .values_list("pk", flat=True)
    )
    CaseKey.objects.bulk_create(
        CaseKey(case=case, user_id=user_id, sealed_key=blob)
        for user_id, blob in sealed.readers
        if user_id in still_members
    )
    return case


def original_readers(team: Team) -> list[User]:
    """Who may open unscrubbed originals of the team's evidence: its supervisors."""
    return list(
        User.objects.filter(
            team=team, role=Role.SUPERVISOR, is_active=True, public_key__isnull=False
        )
    )


def message_exists(*, token_digest: str) -> bool:
    return Message.objects.filter(form_token_hash=token_digest).exists()


def record_read(*, case: Case, user: User) -> None:
    """Record that ``user`` read the case's content (tipline.cases.workspace, the
    one way to read it), in a short transaction of its own."""
    audit.record(action="case.read", actor=user, target=f"case:{case.pk}")


def decrypt_case(case: Case, data_key: bytes) -> PlainCase:
    """Everything in a case, decrypted with its data key (for any reader)."""
    report = case.report
    answers = json.loads(
        crypto.decrypt(
            data_key, bytes(report.answers_encrypted), context=report.answers_context()
        )
    )
    files: dict[int | None, list[PlainAttachment]] = defaultdict(list)
    for attachment in report.attachments.all():
        plain = PlainAttachment(
            attachment.pk, evidence.read_details(attachment, data_key)
        )
        files[attachment.message_id].append(plain)
    messages = [
        PlainMessage(
            author_kind=message.author_kind,
            author_name=message.author.get_username() if message.author else "",
            body=crypto.decrypt(
                data_key, bytes(message.body_encrypted), context=message.context()
            ).decode("utf-8"),
            created_at=message.created_at,
            attachments=files[message.pk],
        )
        for message in case.messages.select_related("author")
    ]
    return PlainCase(
        case=case, answers=answers, messages=messages, attachments=files[None]
    )


def post_staff_message(
    *, case: Case, user: User, private_key: bytes, body: str, token_digest: str
) -> Message | None:
    """Send a message to the reporter. Returns None if this form was already sent.

    The first message to the reporter on a new case acknowledges it: the reporter
    now knows a person has read their report.
    """
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    with transaction.atomic():
        message = _post_message(
            case=case,
            data_key=data_key,
            body=body,
            author=user,
            token_digest=token_digest,
        )
        if message is not None:
            workflow.acknowledge_on_reply(case, user)
    return message


def post_reporter_message(
    *, case: Case, data_key: bytes, body: str, token_digest: str
) -> Message | None:
    """Store the reporter's message. Returns None if this form was already sent."""
    return _post_message(
        case=case, data_key=data_key, body=body, author=None, token_digest=token_digest
    )


def _post_message(
    *, case: Case, data_key: bytes, body: str, author: User | None, token_digest: str
) -> Message | None:
    message = Message(
        case=case,
        author_kind=Author.STAFF if author else Author.REPORTER,
        author=author,
        created_at=timezone.now() if author else coarse_now(),
        form_token_hash=token_digest,
    )
    message.body_encrypted = crypto.encrypt(
        data_key, body.encode("utf-8"), context=message.context()
    )
    try:
        with transaction.atomic():
            message.save()
            audit.record(
                action="message.staff" if author else "message.reporter",
                actor=author,
                target=f"case:{case.pk}",
                at=message.created_at,
            )
    except IntegrityError:
        if Message.objects.filter(form_token_hash=token_digest).exists():
            return None
        raise
    return message


class OriginalNotAvailable(Exception):
    """The user holds no key for this file's unscrubbed original (or none was kept)."""


@dataclass(frozen=True)
class OpenedFile:
    details: dict[str, Any]
    chunks: Iterator[bytes]


def open_attachment(
    *, case: Case, attachment: Attachment, user: User, private_key: bytes, purpose: str
) -> OpenedFile:
    """Decrypt a scrubbed evidence file as a stream; every opening is audited."""
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    details = _with_hidden_name(
        case, data_key, evidence.read_details(attachment, data_key)
    )
    audit.record(
        action=f"attachment.{purpose}",
        actor=user,
        target=f"case:{case.pk}",
        detail={"attachment": attachment.pk},
    )
    return OpenedFile(details, evidence.open_clean_file(attachment, data_key))


def _with_hidden_name(
    case: Case, data_key: bytes, details: dict[str, Any]
) -> dict[str, Any]:
    """The file's details with redacted terms hidden from its name, which becomes
    the name of the downloaded file (its contents are evidence, unchanged)."""
    hide = redaction.redactor_for(case, data_key)
    return {**details, "name": hide(str(details.get("name", "")))}


def open_original(
    *, case: Case, attachment: Attachment, user: User, private_key: bytes
) -> OpenedFile:
    """The unscrubbed original, for a supervisor it was sealed to; audited."""
    if (
        not attachment.original_blob_name
        or not attachment.original_keys.filter(user=user).exists()
    ):
        raise OriginalNotAvailable
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    details = _with_hidden_name(
        case, data_key, evidence.read_details(attachment, data_key)
    )
    audit.record(
        action="attachment.original",
        actor=user,
        target=f"case:{case.pk}",
        detail={"attachment": attachment.pk},
    )
    return OpenedFile(
        details, evidence.open_original_file(attachment, user, private_key)
    )
