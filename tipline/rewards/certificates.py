"""Signed commendation certificates and acknowledgements of a report, and their
verification (issue 14, points 7 and 8).

Every document carries a statement (canonical JSON of what it says) signed twice:
with the organisation's Ed25519 key (tipline.crypto.signing), stored behind the
verification code, and by the PAdES signature of the PDF
(tipline.rewards.certificates_pdf). /verify/ checks either: a code against the
stored statement, or an uploaded PDF against both signatures and the store.

What is stored (``SignedDocument``): a keyed hash of the code and, sealed under a
key derived from the code, the statement and its signature. Nothing about a case:
a commendation's row holds the printed name, the date and the organisation; an
acknowledgement's, the week and a commitment only the receipt's holder can open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import nacl.utils
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from tipline import crypto
from tipline.audit.services import record
from tipline.crypto import signing
from tipline.lib.clock import coarse_now
from tipline.rewards import certificates_pdf
from tipline.rewards.certificates_keys import signing_identity
from tipline.rewards.certificates_text import LANGUAGE_CHOICES, section_for
from tipline.rewards.models import SignedDocument, VerificationLoad

STATEMENT_VERSION = 1
MalformedCode = signing.MalformedCode
normalise_code = signing.normalise_code
format_code = signing.format_code
# Sealed under a key no code derives to: opened when a code is unknown, so an
# unknown code costs the same work as a known one.
_DECOY = crypto.encrypt(nacl.utils.random(32), b"{}" + bytes(64), context=b"decoy")


class Kind(StrEnum):
    COMMENDATION = "commendation"
    ACKNOWLEDGEMENT = "acknowledgement"


class UnknownLanguage(ValueError):
    """The language is not one a document can be printed in."""


class VerifyBusy(Exception):
    """Too many PDFs were checked this minute, site-wide: try again shortly."""


@dataclass(frozen=True)
class Certificate:
    """An issued document: its code (formatted), what it says, and the PDF."""

    code: str
    statement: dict[str, Any]
    pdf: bytes


@dataclass(frozen=True)
class Verification:
    """What /verify/ found: ``statement`` is set only for a genuine document."""

    genuine: bool
    statement: dict[str, Any] | None = None


def issue_certificate(
    *,
    kind: str = Kind.COMMENDATION,
    printed_name: str | None,
    language: str,
    issued_on: date,
    organisation: str | None = None,
) -> Certificate:
    """A signed commendation certificate naming ``printed_name`` (None or blank:
    "an anonymous member of the public"), in ``language`` (en, zh-hans or both).

    Nothing about the case goes into it or into the stored row."""
    statement = _store(
        _commendation(kind, printed_name, issued_on), language, organisation
    )
    record(action="certificate.issued", actor=None, at=coarse_now())
    return _document(statement)


def register_certificate(
    *, printed_name: str | None, language: str, issued_on: date
) -> str:
    """Store a commendation certificate and return its code (normalised), without
    laying out its PDF: for a flow that keeps the code and renders the document
    when it is downloaded (document_for_code gives the same document each time).
    The caller audits, inside its own transaction."""
    statement = _store(
        _commendation(Kind.COMMENDATION, printed_name, issued_on), language, None
    )
    return str(statement["code"])


def _commendation(
    kind: str, printed_name: str | None, issued_on: date
) -> dict[str, Any]:
    if kind != Kind.COMMENDATION:
        raise ValueError(f"not a certificate kind: {kind}")
    return {
        "kind": str(Kind.COMMENDATION),
        "name": (printed_name or "").strip() or None,
        "issued_on": issued_on.isoformat(),
    }


def issue_acknowledgement(
    *, receipt: str, content: bytes, received_at: datetime, language: str
) -> Certificate:
    """A signed acknowledgement that a report was received in the week of
    ``received_at``, with a commitment to ``content`` under a key derived from the
    normalised ``receipt`` (tipline.crypto.signing.commit_to_content).

    Not audited and not linked to the report: the row holds the week and the
    commitment, sealed under the code, and nothing says which report it is."""
    week = received_at.astimezone(UTC).date()
    monday = week - timedelta(days=week.weekday())
    nonce = nacl.utils.random(16)
    opening_key = signing.opening_key_from_receipt(receipt)
    statement = {
        "kind": str(Kind.ACKNOWLEDGEMENT),
        "week_of": monday.isoformat(),
        "nonce": nonce.hex(),
        "commitment": signing.commit_to_content(opening_key, nonce, content).hex(),
    }
    return _issue(statement, language, None)


def opens_commitment(
    *, statement: dict[str, Any], receipt: str, content: bytes
) -> bool:
    """Does this acknowledgement's commitment open to ``content`` under the key of
    ``receipt``? What a reporter shows a court, with the report's content."""
    opening_key = signing.opening_key_from_receipt(receipt)
    nonce = bytes.fromhex(statement["nonce"])
    expected = signing.commit_to_content(opening_key, nonce, content).hex()
    return bool(expected == statement["commitment"])


def _issue(
    body: dict[str, Any],
    language: str,
    organisation: str | None,
) -> Certificate:
    return _document(_store(body, language, organisation))


def _store(
    body: dict[str, Any], language: str, organisation: str | None
) -> dict[str, Any]:
    """Give ``body`` a fresh code, sign it and store it sealed behind the code:
    the full statement."""
    if language not in LANGUAGE_CHOICES:
        raise UnknownLanguage(language)
    code = signing.new_code()
    statement = {
        **body,
        "v": STATEMENT_VERSION,
        "code": code,
        "organisation": organisation or settings.ORGANISATION_NAME,
        "languages": LANGUAGE_CHOICES[language],
    }
    encoded = canonical(statement)
    signature = signing.sign_statement(signing_identity().seed, encoded)
    keys = signing.derive_code_keys(code, _pepper())
    sealed = crypto.encrypt(
        keys.seal_key, encoded + signature, context=_context(keys.lookup)
    )
    SignedDocument.objects.create(lookup=keys.lookup.hex(), sealed=sealed)
    return statement


def document_for_code(code: str) -> Certificate | None:
    """The PDF of an issued document again, from its code (e.g. kept, sealed, by
    the reward flow for the reporter's follow-up page): the same statement, code
    and times, so it is the same document. None if the code is unknown."""
    statement = _stored_statement(signing.normalise_code(code))
    return None if statement is None else _document(statement)


def _document(statement: dict[str, Any]) -> Certificate:
    """Lay out and sign the PDF of ``statement``. Its times are the issue date or
    the Monday of the report's week, at 00:00 UTC: never when it was made."""
    identity = signing_identity()
    encoded = canonical(statement)
    # Ed25519 is deterministic: the same statement always gets the same signature.
    signature = signing.sign_statement(identity.seed, encoded)
    day = statement.get("issued_on") or statement["week_of"]
    signed_at = datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC)
    code = statement["code"]
    pdf = certificates_pdf.render_pdf(
        sections=[section_for(statement, lang) for lang in statement["languages"]],
        formatted_code=signing.format_code(code),
        verify_url=settings.BASE_URL + verify_path(code),
        attachment={"statement": encoded.decode(), "signature": signature.hex()},
        font_path=settings.CERTIFICATE_FONT,
        created=signed_at,
    )
    signed = certificates_pdf.sign_pdf(
        pdf, identity, reason=section_for(statement, "en").title, signed_at=signed_at
    )
    return Certificate(code=signing.format_code(code), statement=statement, pdf=signed)


def verify_path(code: str) -> str:
    return reverse("outreach:verify_code", args=[signing.format_code(code)])


def verify_code(text: str) -> Verification:
    """Look a code up. MalformedCode for text of the wrong shape; otherwise the
    same work whether the code is known or not, and not genuine if unknown."""
    try:
        code = signing.normalise_code(text)
    except signing.MalformedCode:
        _audit_failure("malformed")
        raise
    found = _stored_statement(code)
    if found is None:
        _audit_failure("unknown")
        return Verification(False)
    return Verification(True, found)


def verify_pdf(data: bytes) -> Verification:
    """Check an uploaded PDF: the PAdES signature over the whole file with the
    organisation's certificate, the Ed25519 signature of its statement, and the
    stored statement of its code, which must be the same. Raises VerifyBusy past
    VERIFY_UPLOADS_PER_MINUTE checks a minute, site-wide."""
    _count_upload()
    identity = signing_identity()
    checked = certificates_pdf.check_pdf(data, identity)
    statement = _signed_statement(checked.attachment, identity.public_key)
    if statement is None:
        _audit_failure("altered")
        return Verification(False)
    stored = _stored_statement(str(statement.get("code", "")))
    if stored != statement:
        _audit_failure("unknown")
        return Verification(False)
    return Verification(True, stored)


def _signed_statement(
    attachment: dict[str, Any] | None, public_key: bytes
) -> dict[str, Any] | None:
    if attachment is None:
        return None
    try:
        encoded = str(attachment["statement"]).encode()
        signature = bytes.fromhex(str(attachment["signature"]))
        if not signing.statement_is_signed(public_key, encoded, signature):
            return None
        statement = json.loads(encoded)
    except (KeyError, ValueError):
        return None
    return statement if isinstance(statement, dict) else None


def _stored_statement(code: str) -> dict[str, Any] | None:
    keys = signing.derive_code_keys(code, _pepper())
    row = SignedDocument.objects.filter(lookup=keys.lookup.hex()).first()
    sealed = bytes(row.sealed) if row else _DECOY
    try:
        opened = crypto.decrypt(keys.seal_key, sealed, context=_context(keys.lookup))
    except crypto.DecryptionFailed:
        opened = b"{}" + bytes(64)
    encoded, signature = opened[:-64], opened[-64:]
    genuine = signing.statement_is_signed(
        signing_identity().public_key, encoded, signature
    )
    if row is None or not genuine:
        return None
    statement = json.loads(encoded)
    return statement if isinstance(statement, dict) else None


@transaction.atomic
def _count_upload() -> None:
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    VerificationLoad.objects.get_or_create(minute=minute)
    VerificationLoad.objects.filter(minute=minute).update(count=F("count") + 1)
    load = VerificationLoad.objects.get(minute=minute)
    VerificationLoad.objects.filter(minute__lt=minute).delete()
    if load.count > settings.VERIFY_UPLOADS_PER_MINUTE:
        raise VerifyBusy


def audit_malformed() -> None:
    """A code of the wrong shape was typed at /verify/."""
    _audit_failure("malformed")


def _audit_failure(reason: str) -> None:
    record(
        action="certificate.verify_failed",
        actor=None,
        detail={"reason": reason},
        at=coarse_now(),
    )


def canonical(statement: dict[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def _context(lookup: bytes) -> bytes:
    return b"signed-document:" + lookup.hex().encode()


def _pepper() -> bytes:
    return settings.RECEIPT_PEPPER.encode()
