"""The reporter's signed acknowledgement of a report (issue 14, point 8), from the
receipt page and the follow-up page.

Each is a POST from a page the reporter already holds open (its handle names the
receipt), answered with the PDF itself: nothing is kept that says which report an
acknowledgement belongs to (tipline.rewards.certificates.issue_acknowledgement).
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
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


@require_POST
def receipt_acknowledgement(request: HttpRequest) -> HttpResponse:
    opened = browser.read(request, browser.RECEIPT_PAGE)
    receipt = opened.payload.get("receipt") if opened else None
    return _acknowledge(request, receipt, back=reverse("intake:receipt"))


@require_POST
def followup_acknowledgement(request: HttpRequest) -> HttpResponse:
    opened = browser.read(request, browser.FOLLOWUP)
    receipt = opened.payload.get("receipt") if opened else None
    return _acknowledge(request, receipt, back=reverse("intake:followup"))


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
