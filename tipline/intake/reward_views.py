"""The reporter's answers to a reward offer, from the follow-up page (issue 14,
points 5 and 7): accept (and get the claim code, shown once), decline, and
download the certificate.

Each is a POST from the follow-up page, whose handle names the receipt. The claim
code goes back to that page through the handle (POST/redirect/GET) and is taken
out of it when the page shows it, so Reload shows it no more.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tipline import crypto
from tipline.intake import browser, rewards, services
from tipline.intake.acknowledgement_views import (
    too_many_documents,
    within_document_limit,
)
from tipline.intake.followup_views import keep_alive, render_report
from tipline.rewards.errors import RewardRefused
from tipline.rewards.models import Offer
from tipline.rewards.services import accept_offer, decline_offer, offer_for


@sensitive_post_parameters()
@require_POST
def accept(request: HttpRequest) -> HttpResponse:
    found = _offer_of(request)
    if found is None:
        return _back()
    opened, access, offer = found
    form = rewards.AcceptForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, {"accept_form": form})
    receipt = opened.payload["receipt"]
    try:
        code = accept_offer(
            offer=offer,
            keys=rewards.reporter_keys(crypto.normalise_receipt(receipt), access),
            acceptance=form.acceptance(),
        )
    except RewardRefused as refused:
        form.add_error(None, refused.message)
        return _refused(request, access, {"accept_form": form})
    opened.payload["claim_code"] = code
    try:
        with services.storage_full_as_error():
            keep_alive(opened)
    except services.StorageFull:
        # The code cannot wait in the handle: show it now rather than lose it.
        return render_report(request, access, None, claim_code=code)
    return _back("#reward")


@require_POST
def decline(request: HttpRequest) -> HttpResponse:
    found = _offer_of(request)
    if found is None:
        return _back()
    _opened_handle, access, offer = found
    form = rewards.DeclineForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, {"decline_form": form})
    try:
        decline_offer(offer=offer)
    except RewardRefused as refused:
        form.add_error(None, refused.message)
        return _refused(request, access, {"decline_form": form})
    return _back("#reward")


@require_POST
def certificate(request: HttpRequest) -> HttpResponse:
    opened, access = _opened(request)
    if opened is None or access is None:
        return _back()
    if not within_document_limit(opened, browser.FOLLOWUP):
        return too_many_documents(request, reverse("intake:followup"))
    receipt = crypto.normalise_receipt(opened.payload["receipt"])
    made = rewards.certificate(receipt, access)
    if made is None:
        return _back("#reward")
    response = HttpResponse(made.pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="certificate.pdf"'
    return response


def _offer_of(
    request: HttpRequest,
) -> tuple[browser.Opened, services.ReporterAccess, Offer] | None:
    """The signed-in reporter's handle, access and offer, or None if any is
    missing (signed out meanwhile, report gone, nothing offered)."""
    opened, access = _opened(request)
    if opened is None or access is None:
        return None
    offer = offer_for(access.case)
    return None if offer is None else (opened, access, offer)


def _opened(
    request: HttpRequest,
) -> tuple[browser.Opened | None, services.ReporterAccess | None]:
    opened = browser.read(request, browser.FOLLOWUP)
    if opened is None:
        return None, None
    try:
        access = services.access_with_receipt(opened.payload["receipt"])
    except (crypto.MalformedReceipt, services.ReceiptNotFound, crypto.DecryptionFailed):
        return opened, None
    return opened, access


def _refused(
    request: HttpRequest, access: services.ReporterAccess, forms: dict[str, object]
) -> HttpResponse:
    return render_report(request, access, None, reward_forms=forms, status=400)


def _back(anchor: str = "") -> HttpResponse:
    """To the follow-up page: it shows the offer's state, or the sign-in page if
    the reporter was signed out meanwhile."""
    return HttpResponseRedirect(reverse("intake:followup") + anchor, status=303)
