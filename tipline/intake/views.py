"""The public side: choosing a category, reporting, and following up.

Every page here works without JavaScript. Responses that show a receipt or a
report are rendered directly (no redirect carrying secrets in a URL) and are never
cached (tipline.lib.middleware).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tipline import crypto
from tipline.intake import flood, proof, services
from tipline.intake.attachments import AttachmentsRejected, PreparedFile
from tipline.intake.forms import (
    RECEIPT_NOT_OPENED,
    STORAGE_FULL,
    MessageForm,
    ReceiptForm,
    ReportForm,
)
from tipline.intake.models import Category
from tipline.intake.profiles import ensure_default_profile
from tipline.intake.selectors import get_active_category
from tipline.lib.tokens import (
    FormSentTooSoon,
    FormTokenExpired,
    FormTokenInvalid,
    new_form_token,
    read_form_token,
    token_digest,
)

SENT_TOO_SOON = gettext_lazy(
    "Please take a moment to read your report through. Nothing was sent yet: "
    "press “Send report” again when you are ready."
)
FLOOD_SENT_TOO_SOON = gettext_lazy(
    "Very many reports are arriving right now. To slow down automated floods, a "
    "report form must be open for at least %(seconds)d seconds before it is sent. "
    "Nothing was sent yet and your answers are kept: send the report again in a "
    "few seconds."
)
NOT_SENT = gettext_lazy(
    "Your report could not be sent. Your answers are kept below: check them and "
    "send the report again."
)
REPORT_FORM = services.REPORT_FORM
MESSAGE_FORM = services.MESSAGE_FORM


def choose_category(request: HttpRequest) -> HttpResponse:
    profile = ensure_default_profile()
    categories = profile.categories.filter(active=True)
    return render(
        request, "intake/choose.html", {"profile": profile, "categories": categories}
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_active_category(slug)
    if request.method == "GET":
        form = ReportForm(
            category=category, initial={"token": new_form_token(REPORT_FORM)}
        )
        return _render_form(request, category, form)
    form = ReportForm(request.POST, request.FILES, category=category)
    token = request.POST.get("token", "")
    try:
        secret = read_form_token(
            token,
            REPORT_FORM,
            min_age=flood.minimum_fill_time(
                token=token, proof=request.POST.get(proof.FIELD, "")
            ),
        )
    except FormTokenInvalid as exc:
        return _refresh_token(
            request, category, expired=isinstance(exc, FormTokenExpired)
        )
    except FormSentTooSoon:
        form.is_valid()
        form.add_error(
            None,
            FLOOD_SENT_TOO_SOON % {"seconds": settings.FLOOD_MIN_FILL_SECONDS}
            if flood.under_flood()
            else SENT_TOO_SOON,
        )
        return _render_form(request, category, form, status=400)
    if form.honeypot_filled:
        # Said plainly but without naming the field: nothing is stored.
        form.is_valid()
        form.add_error(None, NOT_SENT)
        return _render_form(request, category, form, status=400)
    if not form.is_valid():
        return _render_form(request, category, form, status=400)
    try:
        with services.storage_full_as_error():
            submission = services.submit_report(
                category=category,
                answers=form.answers(),
                token_secret=secret,
                uploads=form.cleaned_data["files"],
                keep_originals=form.cleaned_data["keep_originals"],
            )
    except AttachmentsRejected as exc:
        _explain_file_problems(form, exc)
        return _render_form(request, category, form, status=400)
    except services.StorageFull:
        form.add_error(None, STORAGE_FULL)
        return _render_form(request, category, form, status=503)
    if submission.created:
        flood.record_report()
    context = {
        "receipt": crypto.format_receipt(submission.receipt),
        "created": submission.created,
        "category": category,
        "files": submission.files,
        "originals_kept": submission.originals_kept,
    }
    return render(request, "intake/receipt.html", context)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def followup(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "intake/followup_signin.html", {"form": ReceiptForm()})
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        return render(
            request, "intake/followup_signin.html", {"form": form}, status=400
        )
    return _render_report(request, form.cleaned_data["receipt"])


@sensitive_post_parameters()
@require_POST
def followup_message(request: HttpRequest) -> HttpResponse:
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        if "receipt" in form.errors:
            return render(
                request,
                "intake/followup_signin.html",
                {"form": ReceiptForm(request.POST)},
                status=400,
            )
        return _render_report(request, form.cleaned_data["receipt"], form, status=400)
    try:
        secret = read_form_token(form.cleaned_data["token"], MESSAGE_FORM)
    except FormTokenInvalid:
        form.add_error(
            None, _("This form could not be verified. Please send your message again.")
        )
        return _render_report(request, form.cleaned_data["receipt"], form, status=400)
    access = _access_or_none(form.cleaned_data["receipt"])
    if access is None:
        return _signin_failed(request)
    try:
        with services.storage_full_as_error():
            sent = services.post_reporter_message(
                access=access,
                body=form.cleaned_data["body"],
                token_digest=token_digest(secret, MESSAGE_FORM),
                uploads=form.cleaned_data["files"],
                keep_originals=form.cleaned_data["keep_originals"],
            )
    except AttachmentsRejected as exc:
        _explain_file_problems(form, exc)
        return _render_report(request, form.cleaned_data["receipt"], form, status=400)
    except services.StorageFull:
        form.add_error(None, STORAGE_FULL)
        return _render_report(request, form.cleaned_data["receipt"], form, status=503)
    return _render_report(
        request,
        form.cleaned_data["receipt"],
        sent=True,
        files=sent.files,
        originals_kept=sent.originals_kept,
    )


def _render_report(
    request: HttpRequest,
    receipt: str,
    message_form: MessageForm | None = None,
    *,
    sent: bool = False,
    files: list[PreparedFile] | None = None,
    originals_kept: bool = False,
    status: int = 200,
) -> HttpResponse:
    access = _access_or_none(receipt)
    if access is None:
        return _signin_failed(request)
    plain = services.read_own_report(access)
    if message_form is None:
        message_form = MessageForm(
            initial={"receipt": receipt, "token": new_form_token(MESSAGE_FORM)},
            originals_default=access.case.report.category.profile.originals_default,
        )
    context = {
        "plain": plain,
        "message_form": message_form,
        "sent": sent,
        "files": files or [],
        "originals_kept": originals_kept,
    }
    return render(request, "intake/followup_report.html", context, status=status)


def _explain_file_problems(
    form: ReportForm | MessageForm, exc: AttachmentsRejected
) -> None:
    for problem in exc.problems:
        form.add_error("files", f"{problem.name}: {problem.message}")
    # Browsers cannot refill a file input, so say so; everything typed is kept.
    form.add_error(
        "files",
        _(
            "Nothing was sent yet. Your text is kept below: choose "
            "the files you want to send again and send the form."
        ),
    )


def _access_or_none(receipt: str) -> services.ReporterAccess | None:
    try:
        return services.access_with_receipt(receipt)
    except (crypto.MalformedReceipt, services.ReceiptNotFound, crypto.DecryptionFailed):
        return None


def _signin_failed(request: HttpRequest) -> HttpResponse:
    context = {"form": ReceiptForm(), "failure": RECEIPT_NOT_OPENED}
    return render(request, "intake/followup_signin.html", context, status=400)


def _render_form(
    request: HttpRequest, category: Category, form: ReportForm, status: int = 200
) -> HttpResponse:
    context = {"category": category, "form": form, "proof_bits": flood.proof_bits()}
    return render(request, "intake/form.html", context, status=status)


def _refresh_token(
    request: HttpRequest, category: Category, *, expired: bool
) -> HttpResponse:
    """Give the reporter a fresh token and keep everything they typed."""
    data = request.POST.copy()
    data["token"] = new_form_token(REPORT_FORM)
    fresh = ReportForm(data, category=category)
    fresh.is_valid()
    message = (
        _(
            "This form was open for too long. Your answers are kept below: check them "
            "and send the report again."
        )
        if expired
        else _(
            "This form could not be verified. Your answers are kept below: check "
            "them and send the report again."
        )
    )
    fresh.add_error(None, message)
    return _render_form(request, category, fresh, status=400)
