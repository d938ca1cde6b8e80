"""The follow-up pages: signing in with the receipt, reading, replying, signing out.

Signing in exchanges the receipt for a follow-up handle (an HttpOnly, SameSite=Strict
cookie limited to /followup/, tipline/intake/browser.py) and redirects, so the
browser never holds the receipt in a page it can send again. The handle ends after
FOLLOWUP_IDLE_SECONDS without a request, FOLLOWUP_MAX_SECONDS after signing in, or
at once when the reporter signs out; Back after that shows only the sign-in page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from tipline import crypto
from tipline.intake import browser, rewards, services
from tipline.intake.forms import (
    RECEIPT_NOT_OPENED,
    STORAGE_FULL,
    MessageForm,
    ReceiptForm,
)
from tipline.intake.submission import Refusal, Refused, take_message
from tipline.intake.views import (
    MESSAGE_FORM_ID,
    SIGNIN_FORM_ID,
    Draft,
    explain_file_problems,
    file_summary,
    forget_draft,
    keep_draft,
    shown_files,
)
from tipline.lib.tokens import FormTokenInvalid, new_form_token, read_form_token

MESSAGE_FORM = services.MESSAGE_FORM
MESSAGE_NOT_VERIFIED = gettext_lazy(
    "This form could not be verified. Please send your message again."
)
SIGNED_OUT = gettext_lazy(
    "You have signed out. Nothing on this device opens your report any more."
)
SESSION_ENDED = gettext_lazy(
    "You were signed out because the page was left unused for a while. Your "
    "message is kept below: enter your receipt code again to send it."
)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def followup(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _sign_in(request)
    opened = browser.read(request, browser.FOLLOWUP)
    if opened is None:
        return _signin_page(request, notice=_notice(request))
    access = _access_or_none(opened.payload["receipt"])
    if access is None:
        # The report is gone (retention) or the receipt no longer opens it.
        response = _signin_page(request, failure=RECEIPT_NOT_OPENED, status=400)
        browser.end(request, response, browser.FOLLOWUP)
        return response
    draft = keep_draft(request, MESSAGE_FORM_ID)
    flash = opened.payload.pop("flash", None)
    # Shown once: gone from the handle as soon as this page has it.
    claim_code = opened.payload.pop("claim_code", None)
    keep_alive(opened)
    profile = access.case.report.category.profile
    form = MessageForm(
        initial=_message_initial(draft),
        originals_default=profile.originals_default,
    )
    response = render_report(
        request,
        access,
        form,
        flash=flash,
        files_dropped=draft.files_dropped,
        claim_code=claim_code,
    )
    return forget_draft(request, response, draft)


def _sign_in(request: HttpRequest) -> HttpResponse:
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        return _signin_page(request, form=form, status=400)
    receipt = form.cleaned_data["receipt"]
    access = _access_or_none(receipt)
    if access is None:
        return _signin_page(request, failure=RECEIPT_NOT_OPENED, status=400)
    response = _redirect_to_report()
    browser.end(request, response, browser.FOLLOWUP)
    started = timezone.now()
    payload = {"receipt": receipt, "started": started.timestamp()}
    try:
        with services.storage_full_as_error():
            browser.start(response, browser.FOLLOWUP, payload, expires=_expiry(started))
    except services.StorageFull:
        # No room for the handle: the report can still be read, just not answered.
        return render_report(request, access, None, status=503)
    return response


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def followup_message(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _redirect_to_report()
    opened = browser.read(request, browser.FOLLOWUP)
    form = MessageForm(request.POST, request.FILES)
    if opened is None:
        return _signed_out_while_writing(request)
    access = _access_or_none(opened.payload["receipt"])
    if access is None:
        return _signed_out_while_writing(request)
    sent = take_message(access=access, form=form)
    if isinstance(sent, Refused):
        match sent.reason:
            case Refusal.TOKEN_EXPIRED | Refusal.TOKEN_INVALID:
                form.add_error(None, MESSAGE_NOT_VERIFIED)
                form = _with_fresh_token(form)
            case Refusal.FILES_REFUSED if sent.files is not None:
                explain_file_problems(form, sent.files)
            case Refusal.STORAGE_FULL:
                form.add_error(None, STORAGE_FULL)
                return render_report(request, access, form, status=503)
        return render_report(request, access, form, status=400)
    opened.payload["flash"] = {
        "files": [file_summary(f) for f in sent.files],
        "originals_kept": sent.originals_kept,
    }
    keep_alive(opened)
    return _redirect_to_report()


@require_http_methods(["GET", "POST"])
def followup_signout(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _redirect_to_report()
    response = HttpResponseRedirect(
        reverse("intake:followup") + "?signed-out", status=303
    )
    browser.end(request, response, browser.FOLLOWUP)
    return response


def _signed_out_while_writing(request: HttpRequest) -> HttpResponse:
    """The handle ended while a message was being written: keep the message as a
    draft for the page the reporter signs in to, and say so."""
    data = {"body": [request.POST.get("body", "")]}
    response = _signin_page(request, notice=SESSION_ENDED, status=400)
    draft = {
        "form": MESSAGE_FORM_ID,
        "data": data,
        "files_dropped": bool(request.FILES),
    }
    browser.start(response, browser.DRAFT, draft, path=reverse("intake:followup"))
    return response


def render_report(
    request: HttpRequest,
    access: services.ReporterAccess,
    form: MessageForm | None,
    *,
    flash: dict[str, Any] | None = None,
    files_dropped: bool = False,
    claim_code: str | None = None,
    reward_forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The report page; ``reward_forms`` replaces the reward forms with ones that
    failed, keeping what was typed."""
    profile = access.case.report.category.profile
    context = {
        "plain": services.read_own_report(access),
        "message_form": form,
        "sent": flash is not None,
        "files": shown_files(flash["files"]) if flash else [],
        "originals_kept": bool(flash and flash.get("originals_kept")),
        "files_dropped": files_dropped,
        "shows_report": profile.followup_shows_report,
        "keep_form": MESSAGE_FORM_ID if form is not None else None,
        "idle_minutes": settings.FOLLOWUP_IDLE_SECONDS // 60,
        "reward": rewards.reporter_offer(access),
        "claim_code": claim_code,
        "accept_form": rewards.AcceptForm(),
        "decline_form": rewards.DeclineForm(),
        **(reward_forms or {}),
    }
    return render(request, "intake/followup_report.html", context, status=status)


def _signin_page(
    request: HttpRequest,
    *,
    form: ReceiptForm | None = None,
    failure: str | Promise | None = None,
    notice: str | Promise | None = None,
    status: int = 200,
) -> HttpResponse:
    draft = keep_draft(request, SIGNIN_FORM_ID)
    if form is None:
        form = ReceiptForm(initial={"receipt": draft.initial.get("receipt", "")})
    context = {
        "form": form,
        "failure": failure,
        "notice": notice,
        "keep_form": SIGNIN_FORM_ID,
    }
    response = render(request, "intake/followup_signin.html", context, status=status)
    return forget_draft(request, response, draft)


def _message_initial(draft: Draft) -> dict[str, Any]:
    token = draft.initial.get("token")
    try:
        read_form_token(str(token), MESSAGE_FORM)
    except FormTokenInvalid:
        token = new_form_token(MESSAGE_FORM)
    initial = {"body": draft.initial.get("body", ""), "token": token}
    if draft.taken:
        # An unticked box is absent from what was sent: it stays unticked.
        initial["keep_originals"] = draft.initial.get("keep_originals", False)
    return initial


def _with_fresh_token(form: MessageForm) -> MessageForm:
    data = cast(QueryDict, form.data).copy()  # the form was bound to request.POST
    data["token"] = new_form_token(MESSAGE_FORM)
    fresh = MessageForm(data)
    fresh.is_valid()
    for error in form.non_field_errors():
        fresh.add_error(None, error)
    return fresh


def keep_alive(opened: browser.Opened) -> None:
    started = datetime.fromtimestamp(opened.payload["started"], UTC)
    browser.update(opened, browser.FOLLOWUP, opened.payload, expires=_expiry(started))


def _expiry(started: datetime) -> datetime:
    idle = timezone.now() + timedelta(seconds=settings.FOLLOWUP_IDLE_SECONDS)
    return min(idle, started + timedelta(seconds=settings.FOLLOWUP_MAX_SECONDS))


def _notice(request: HttpRequest) -> Promise | None:
    return SIGNED_OUT if "signed-out" in request.GET else None


def _redirect_to_report() -> HttpResponse:
    return HttpResponseRedirect(reverse("intake:followup"), status=303)


def _access_or_none(receipt: str) -> services.ReporterAccess | None:
    try:
        return services.access_with_receipt(receipt)
    except (crypto.MalformedReceipt, services.ReceiptNotFound, crypto.DecryptionFailed):
        return None
