"""The reporter's signed acknowledgement of a report (issue 14, point 8), from the
receipt page and the follow-up page.

Each is a POST from a page the reporter already holds open (its handle names the
receipt), answered with the PDF itself: nothing is kept that says which report an
acknowledgement belongs to (tipline.rewards.certificates.issue_acknowledgement).
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_POST

from tipline import crypto
from tipline.intake import browser, services
from tipline.rewards import certificates
from tipline.rewards.certificates_text import LANGUAGE_CHOICES


def report_content(access: services.ReporterAccess) -> bytes:
    """What an acknowledgement commits to: the report's answers as first sent, as
    canonical JSON (sorted keys, no spaces, UTF-8). Not its messages or files."""
    answers = services.read_own_report(access).answers
    return json.dumps(
        answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


# Signed PDFs one page visit (one handle) may make: each costs a signature and
# a stored row, so a script holding one handle cannot make them without end.
DOCUMENTS_PER_VISIT = 10


@require_POST
def receipt_acknowledgement(request: HttpRequest) -> HttpResponse:
    return _counted(request, browser.RECEIPT_PAGE, reverse("intake:receipt"))


@require_POST
def followup_acknowledgement(request: HttpRequest) -> HttpResponse:
    return _counted(request, browser.FOLLOWUP, reverse("intake:followup"))


def _counted(request: HttpRequest, place: browser.Place, back: str) -> HttpResponse:
    opened = browser.read(request, place)
    if opened is None:
        return HttpResponseRedirect(back, status=303)
    if not within_document_limit(opened, place):
        return too_many_documents(request, back)
    return _acknowledge(request, opened.payload.get("receipt"), back=back)


def within_document_limit(opened: browser.Opened, place: browser.Place) -> bool:
    """Count one more signed PDF for this visit: False past DOCUMENTS_PER_VISIT."""
    return browser.count_use(opened, place, "documents", limit=DOCUMENTS_PER_VISIT)


def too_many_documents(request: HttpRequest, back: str) -> HttpResponse:
    context = {"back": back, "limit": DOCUMENTS_PER_VISIT}
    return render(request, "intake/too_many_documents.html", context, status=429)


def _acknowledge(
    request: HttpRequest, receipt: str | None, *, back: str
) -> HttpResponse:
    """The PDF, or back to the page (which then says what it can) if the receipt
    is no longer held there."""
    try:
        normalised = crypto.normalise_receipt(receipt or "")
        access = services.access_with_receipt(normalised)
    except (crypto.MalformedReceipt, services.ReceiptNotFound, crypto.DecryptionFailed):
        return HttpResponseRedirect(back, status=303)
    language = request.POST.get("language", "")
    if language not in LANGUAGE_CHOICES:
        language = translation.get_language() or "en"
        language = language if language in LANGUAGE_CHOICES else "en"
    made = certificates.issue_acknowledgement(
        receipt=normalised,
        content=report_content(access),
        received_at=access.case.report.received_at,
        language=language,
    )
    response = HttpResponse(made.pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="acknowledgement.pdf"'
    return response
