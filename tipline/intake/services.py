"""Taking in reports and serving the reporter's follow-up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from tipline import crypto
from tipline.audit import services as audit
from tipline.cases import services as cases
from tipline.cases.models import Case
from tipline.intake.models import Category, Report
from tipline.lib.clock import coarse_now
from tipline.triage import services as triage


class ReceiptNotFound(Exception):
    """No report matches the receipt. Deliberately says nothing more."""


@dataclass(frozen=True)
class Submission:
    receipt: str
    report: Report
    created: bool


@dataclass(frozen=True)
class ReporterAccess:
    case: Case
    data_key: bytes


def submit_report(
    *, category: Category, answers: list[dict[str, Any]], token_secret: bytes
) -> Submission:
    """Encrypt and store a report whole, or not at all.

    The receipt is derived from the form token, so a resubmitted form (double click,
    retry after a lost response) finds the report it already made and returns the
    same receipt with ``created=False`` instead of making a second report.
    """
    pepper = settings.RECEIPT_PEPPER.encode()
    receipt = crypto.receipt_from_token(token_secret, pepper)
    keys = crypto.derive_receipt_keys(receipt, pepper)
    lookup = keys.lookup.hex()
    existing = Report.objects.filter(receipt_lookup=lookup).first()
    if existing is not None:
        return Submission(receipt=receipt, report=existing, created=False)
    try:
        report = _store_report(category, answers, lookup, keys.wrap_key)
    except IntegrityError:
        # The same form arrived twice at once; the other request stored it.
        report = Report.objects.get(receipt_lookup=lookup)
        return Submission(receipt=receipt, report=report, created=False)
    return Submission(receipt=receipt, report=report, created=True)


@transaction.atomic
def _store_report(
    category: Category, answers: list[dict[str, Any]], lookup: str, wrap_key: bytes
) -> Report:
    data_key = crypto.new_data_key()
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
    case = cases.open_case(
        report=report, team=triage.route(category=category), data_key=data_key
    )
    audit.record(
        action="report.received",
        actor=None,
        target=f"case:{case.pk}",
        detail={"category": category.slug},
    )
    return report


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
    report = access.case.report
    answers = json.loads(
        crypto.decrypt(
            access.data_key,
            bytes(report.answers_encrypted),
            context=report.answers_context(),
        )
    )
    messages = cases.decrypt_messages(access.case, access.data_key)
    return cases.PlainCase(case=access.case, answers=answers, messages=messages)


def _wrap_context(lookup: str) -> bytes:
    return f"report:{lookup}:reporter-key".encode()


def post_reporter_message(
    *, access: ReporterAccess, body: str, token_digest: str
) -> None:
    """Store a message from the reporter; a resubmitted form stores nothing new."""
    cases.post_reporter_message(
        case=access.case, data_key=access.data_key, body=body, token_digest=token_digest
    )
