"""Taking in reports and serving the reporter's follow-up."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction

from tipline import crypto
from tipline.accounts.models import Team
from tipline.accounts.services import escrow_public_key
from tipline.audit import services as audit
from tipline.cases import evidence
from tipline.cases import services as cases
from tipline.cases.models import Case, Channel, Report
from tipline.cases.rules import route
from tipline.intake import attachments, handles
from tipline.intake.uploads import BoundedUpload
from tipline.lib import storage
from tipline.lib.clock import coarse_now
from tipline.profiles.answers import answer_texts
from tipline.profiles.models import Category
from tipline.triage import duplicates, priority, similarity

# Purposes of the one-time form tokens (tipline.lib.tokens), for HTML and API alike.
REPORT_FORM = "report"
MESSAGE_FORM = "reporter-message"
# While this handle lives, sending the same form again shows its receipt again.
RECEIPT_REPLAY = handles.Kind("receipt-replay", "RECEIPT_SHOWN_SECONDS")


class StorageFull(Exception):
    """The disk (or the database's disk) is full: nothing was stored."""


@contextlib.contextmanager
def storage_full_as_error() -> Iterator[None]:
    """Turn "no space left" from the file store or the database into StorageFull,
    so the reporter gets a clear message instead of an error page. Whatever was
    written before the failure has been removed by then (see submit_report)."""
    try:
        yield
    except (OSError, OperationalError) as exc:
        if storage.is_out_of_space(exc):
            raise StorageFull from exc
        raise


class ReceiptNotFound(Exception):
    """No report matches the receipt. Deliberately says nothing more."""


@dataclass(frozen=True)
class Submission:
    receipt: str
    report: Report
    created: bool
    files: list[attachments.PreparedFile] = field(default_factory=list)
    # Until when the receipt may be shown; None: the report was made earlier and
    # the window has passed, so it must not be shown again ("already received").
    shown_until: datetime | None = None
    # The untouched originals of the files were kept (the reporter chose so).
    originals_kept: bool = False


@dataclass(frozen=True)
class MessageResult:
    created: bool
    files: list[attachments.PreparedFile]
    originals_kept: bool = False


@dataclass(frozen=True)
class ReporterAccess:
    case: Case
    data_key: bytes


def submit_report(
    *,
    category: Category,
    answers: list[dict[str, Any]],
    token_secret: bytes,
    uploads: Sequence[BoundedUpload] = (),
    keep_originals: bool = False,
    reward_wish: bool = False,
    channel: Channel = Channel.WEB,
) -> Submission:
    """Scrub, encrypt and store a report with its files whole, or not at all.

    The receipt is derived from the form token, so a resubmitted form (double click,
    retry after a lost response) finds the report it already made and returns the
    same receipt with ``created=False`` instead of making a second report. Only for a
    few minutes, though (``shown_until``): afterwards a copied form token must not be
    as good as the receipt, so the caller says "already received" without it.
    Raises AttachmentsRejected, before anything is stored, if a file is refused.
    The untouched originals are kept too only if ``keep_originals``: the reporter's
    own choice, never the profile's. ``reward_wish``: the reporter asked to be
    considered for a reward or commendation. ``channel``: how the report came
    (the web form, the app), for the statistics.
    """
    pepper = settings.RECEIPT_PEPPER.encode()
    receipt = crypto.receipt_from_token(token_secret, pepper)
    keys = crypto.derive_receipt_keys(receipt, pepper)
    lookup = keys.lookup.hex()
    # With files, look first so a resubmission does not scrub them again; without,
    # the unique lookup value catches it for one query less on every report.
    existing = Report.objects.filter(receipt_lookup=lookup).first() if uploads else None
    if existing is not None:
        return _again(receipt, existing, token_secret)
    files = attachments.prepare_uploads(uploads, keep_originals=keep_originals)
    team = route(category=category)
    assessed = _assess(category, answers)
    data_key = crypto.new_data_key()
    sealed = cases.seal_for_team(team=team, data_key=data_key)
    written = evidence.write_files(
        files,
        data_key=data_key,
        original_readers=cases.original_readers(team) if files else [],
        escrow_public_key=escrow_public_key(),
    )
    try:
        report = _store_report(
            category,
            team,
            answers,
            lookup,
            keys.wrap_key,
            data_key,
            sealed,
            written,
            assessed,
            token_secret,
            reward_wish,
            channel,
        )
    except IntegrityError:
        evidence.delete_blobs(written.blob_names)
        # The same form arrived twice at once; the other request stored it.
        report = Report.objects.get(receipt_lookup=lookup)
        return _again(receipt, report, token_secret)
    except BaseException:
        evidence.delete_blobs(written.blob_names)
        raise
    return Submission(
        receipt=receipt,
        report=report,
        created=True,
        files=files,
        shown_until=handles.open_handle_expiry(token_secret, RECEIPT_REPLAY),
        originals_kept=written.originals_kept,
    )


def already_received(*, token_secret: bytes) -> bool:
    """Whether the form with this token has already made a report (a form sent
    again after its held files were released with the stored report)."""
    pepper = settings.RECEIPT_PEPPER.encode()
    receipt = crypto.receipt_from_token(token_secret, pepper)
    lookup = crypto.derive_receipt_keys(receipt, pepper).lookup.hex()
    return Report.objects.filter(receipt_lookup=lookup).exists()


def _again(receipt: str, report: Report, token_secret: bytes) -> Submission:
    """The same form, sent again: its receipt only within the replay window."""
    until = handles.open_handle_expiry(token_secret, RECEIPT_REPLAY)
    kept = report.attachments.filter(message=None).exclude(original_blob_name="")
    return Submission(
        receipt=receipt,
        report=report,
        created=False,
        shown_until=until,
        originals_kept=kept.exists(),
    )


@transaction.atomic
def _store_report(
    category: Category,
    team: Team,
    answers: list[dict[str, Any]],
    lookup: str,
    wrap_key: bytes,
    data_key: bytes,
    sealed: cases.SealedKeys,
    written: evidence.WrittenFiles,
    assessed: Assessment,
    token_secret: bytes,
    reward_wish: bool,
    channel: Channel,
) -> Report:
    report = Report(category=category, received_at=coarse_now(), receipt_lookup=lookup)
    report.answers_encrypted = crypto.encrypt(
        data_key,
        json.dumps(answers, ensure_ascii=False).encode("utf-8"),
        context=report.answers_context(),
    )
    report.reporter_key = crypto.encrypt(
        wrap_key, data_key, context=_wrap_context(lookup)
    )
    report.save()
    # In the report's transaction: whenever the report exists, so does the window in
    # which the same form may show its receipt again.
    handles.save_handle(token_secret, RECEIPT_REPLAY, {})
    evidence.save_rows(written, report=report, team=team)
    case = cases.open_case(
        report=report,
        team=team,
        sealed=sealed,
        data_key=data_key,
        triage=assessed.triage,
        reward_wish=reward_wish,
        channel=channel,
    )
    duplicates.record_fingerprint(case_id=case.pk, fingerprint=assessed.fingerprint)
    audit.record(
        action="report.received",
        actor=None,
        target=f"case:{case.pk}",
        detail={
            "category": category.slug,
            "team": team.slug,
            "files": len(written.rows),
        },
        at=report.received_at,
    )
    return report


@dataclass(frozen=True)
class Assessment:
    triage: cases.IntakeTriage
    fingerprint: similarity.Fingerprint


def _assess(category: Category, answers: list[dict[str, Any]]) -> Assessment:
    """Deadlines, priority and likely duplicates, worked out from the plaintext
    before the report's transaction (which then only writes)."""
    texts = [" ".join(answer_texts(answer.get("value"))) for answer in answers]
    rules = priority.load_rules()
    keywords = priority.match_keywords(texts, rules)
    received = coarse_now()
    # Sorted by the rounded keyword points, so the clear score names no words.
    keyword_floor = priority.coarse(keywords.points)
    score, _reasons = priority.score(
        category_id=category.pk,
        keyword_points=keyword_floor,
        linked=0,
        created_at=received,
        closed=False,
        rules=rules,
        now=received,
    )
    found = similarity.fingerprint("\n".join(texts), key=similarity.similarity_key())
    profile = category.profile
    return Assessment(
        triage=cases.IntakeTriage(
            acknowledge_due=received + timedelta(days=profile.acknowledge_days),
            feedback_due=received + timedelta(days=profile.feedback_days),
            priority=score,
            keyword_floor=keyword_floor,
            keyword_hits=keywords.hits,
            similar=duplicates.find_similar(case_id=None, fingerprint=found),
        ),
        fingerprint=found,
    )


def access_with_receipt(typed: str) -> ReporterAccess:
    """Open a report with its receipt: MalformedReceipt or ReceiptNotFound."""
    receipt = crypto.normalise_receipt(typed)
    keys = crypto.derive_receipt_keys(receipt, settings.RECEIPT_PEPPER.encode())
    lookup = keys.lookup.hex()
    report = Report.objects.filter(receipt_lookup=lookup).select_related("case").first()
    if report is None:
        raise ReceiptNotFound
    data_key = crypto.decrypt(
        keys.wrap_key, bytes(report.reporter_key), context=_wrap_context(lookup)
    )
    return ReporterAccess(case=report.case, data_key=data_key)


def read_own_report(access: ReporterAccess) -> cases.PlainCase:
    """What the reporter sees on the follow-up page (not audited: not a staff read)."""
    return cases.decrypt_case(access.case, access.data_key)


def _wrap_context(lookup: str) -> bytes:
    return f"report:{lookup}:reporter-key".encode()


def post_reporter_message(
    *,
    access: ReporterAccess,
    body: str,
    token_digest: str,
    uploads: Sequence[BoundedUpload] = (),
    keep_originals: bool = False,
) -> MessageResult:
    """Store a message from the reporter with its files, whole or not at all.

    A resubmitted form stores nothing new. Raises AttachmentsRejected, before
    anything is stored, if a file is refused. Returns the files as scrubbed. The
    untouched originals are kept too only if the reporter chose ``keep_originals``.
    """
    if cases.message_exists(token_digest=token_digest):
        return MessageResult(created=False, files=[])
    case = access.case
    files = attachments.prepare_uploads(uploads, keep_originals=keep_originals)
    written = evidence.write_files(
        files,
        data_key=access.data_key,
        original_readers=cases.original_readers(case.team) if files else [],
        escrow_public_key=escrow_public_key(),
    )
    try:
        with transaction.atomic():
            message = cases.post_reporter_message(
                case=case,
                data_key=access.data_key,
                body=body,
                token_digest=token_digest,
            )
            if message is None:
                evidence.delete_blobs(written.blob_names)
                return MessageResult(created=False, files=[])
            evidence.save_rows(
                written, report=case.report, team=case.team, message=message
            )
    except BaseException:
        evidence.delete_blobs(written.blob_names)
        raise
    return MessageResult(
        created=True, files=files, originals_kept=written.originals_kept
    )
