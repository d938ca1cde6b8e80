"""The staff side: opening cases, reading them, and messages with the reporter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tipline import crypto
from tipline.accounts.models import Team, User
from tipline.accounts.services import escrow_public_key
from tipline.audit import services as audit
from tipline.cases.models import Author, Case, CaseKey, Message, Status
from tipline.intake.models import Report
from tipline.lib.clock import coarse_now

MAX_MESSAGE_CHARS = 20_000


@dataclass(frozen=True)
class PlainMessage:
    author_kind: str
    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class PlainCase:
    case: Case
    answers: list[dict[str, Any]]
    messages: list[PlainMessage]


@transaction.atomic
def open_case(*, report: Report, team: Team, data_key: bytes) -> Case:
    """Create the case for a new report and seal its data key to every member of
    ``team`` who has a key pair, and to the escrow key."""
    case = Case.objects.create(
        report=report,
        team=team,
        created_at=report.received_at,
        escrow_key=crypto.seal_for_staff(data_key, escrow_public_key()),
    )
    members = User.objects.filter(team=team, is_active=True, public_key__isnull=False)
    CaseKey.objects.bulk_create(
        CaseKey(
            case=case,
            user=member,
            sealed_key=crypto.seal_for_staff(data_key, bytes(member.public_key)),
        )
        for member in members
    )
    audit.record(
        action="case.opened",
        actor=None,
        target=f"case:{case.pk}",
        detail={"team": team.slug, "readers": len(members)},
    )
    return case


def data_key_for(*, case: Case, user: User, private_key: bytes) -> bytes:
    """Open the case's data key with the user's unlocked private key."""
    sealed = CaseKey.objects.get(case=case, user=user).sealed_key
    return crypto.open_as_staff(bytes(sealed), private_key)


@transaction.atomic
def read_case(*, case: Case, user: User, private_key: bytes) -> PlainCase:
    """Decrypt a case for ``user`` and record the read in the audit log."""
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    report = case.report
    answers = json.loads(
        crypto.decrypt(
            data_key, bytes(report.answers_encrypted), context=report.answers_context()
        )
    )
    audit.record(action="case.read", actor=user, target=f"case:{case.pk}")
    return PlainCase(
        case=case, answers=answers, messages=decrypt_messages(case, data_key)
    )


def decrypt_messages(case: Case, data_key: bytes) -> list[PlainMessage]:
    return [
        PlainMessage(
            author_kind=message.author_kind,
            author_name=message.author.get_username() if message.author else "",
            body=crypto.decrypt(
                data_key, bytes(message.body_encrypted), context=message.context()
            ).decode("utf-8"),
            created_at=message.created_at,
        )
        for message in case.messages.select_related("author")
    ]


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
        if message is not None and case.status == Status.NEW:
            case.status = Status.ACKNOWLEDGED
            case.save(update_fields=["status"])
            audit.record(
                action="case.status",
                actor=user,
                target=f"case:{case.pk}",
                detail={"from": Status.NEW, "to": Status.ACKNOWLEDGED},
            )
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
            )
    except IntegrityError:
        if Message.objects.filter(form_token_hash=token_digest).exists():
            return None
        raise
    return message
