"""The public side: choosing a category, reporting, and the receipt page.

Every page here works without JavaScript. A successful report redirects to the
receipt page (POST/redirect/GET): the receipt travels in neither a URL nor a body
the browser keeps, but under a short-lived handle (tipline/intake/browser.py).
Responses are never cached (tipline.lib.middleware).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from tipline import crypto
from tipline.cases.models import Channel
from tipline.intake import browser, flood, held, proof, services
from tipline.intake.attachments import AttachmentsRejected, PreparedFile
from tipline.intake.forms import (
    GUARDRAIL_FIELD,
    GUARDRAIL_REMINDER,
    SHOWN_FIELD,
    STORAGE_FULL,
    ReportForm,
)
from tipline.intake.selectors import get_active_category
from tipline.intake.submission import Refusal, Refused, take_report
from tipline.intake.uploads import BoundedUpload
from tipline.lib.pagecache import fresh_value, shared_page
from tipline.lib.tokens import (
    FormTokenInvalid,
    new_form_token,
    read_form_token,
)
from tipline.profiles.loader import ensure_default_profile
from tipline.profiles.models import Category
from tipline.scrub.messages import REMOVED_LABELS, remaining_labels
from tipline.scrub.result import Remaining

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
# HTML ids of the forms whose typed text a language change keeps.
REPORT_FORM_ID = "report-form"
MESSAGE_FORM_ID = "message-form"
SIGNIN_FORM_ID = "signin-form"
# Form fields a language change does not keep: the change itself and the CSRF token.
NOT_KEPT = frozenset(
    {"csrfmiddlewaretoken", "language", "next", "draft_of", held.FIELD, held.DROP_FIELD}
)


@shared_page
def choose_category(request: HttpRequest) -> HttpResponse:
    profile = ensure_default_profile()
    categories = profile.categories.filter(active=True)
    return render(
        request, "intake/choose.html", {"profile": profile, "categories": categories}
    )


HELD_LOST = gettext_lazy(
    "The files you chose earlier could not be kept (the page was open too long, "
    "or it was changed). Your text is kept below: choose the files again and "
    "send the report."
)
# Refusals after which the form is shown again with the reporter's files held.
HOLDS_FILES = frozenset(
    {
        Refusal.INVALID,
        Refusal.SENT_TOO_SOON,
        Refusal.HELD_LOST,
        Refusal.SECOND_STEP,
        Refusal.GUARDRAIL,
    }
)


@dataclass(frozen=True)
class Kept:
    """Files held from an earlier step of this form (tipline.intake.held)."""

    token: str
    uploads: list[BoundedUpload]
    lost: bool


@shared_page
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_active_category(slug)
    if request.method == "GET":
        return _blank_or_draft_form(request, category)
    form = ReportForm(request.POST, request.FILES, category=category, in_steps=True)
    kept = _open_held(request)
    try:
        return _take(request, category, form, kept)
    finally:
        for upload in kept.uploads:
            upload.close()


def _take(
    request: HttpRequest, category: Category, form: ReportForm, kept: Kept
) -> HttpResponse:
    outcome = take_report(
        category=category,
        form=form,
        token=request.POST.get("token", ""),
        proof=request.POST.get(proof.FIELD, ""),
        held=kept.uploads,
        held_lost=kept.lost,
        guardrail_confirmed=request.POST.get(GUARDRAIL_FIELD) == "yes",
        channel=Channel.WEB,
    )
    if not isinstance(outcome, Refused):
        if kept.token:
            held.release_held(kept.token)
        return _to_receipt_page(request, outcome, category)
    hold = _hold_again(request, kept, outcome)
    match outcome.reason:
        case Refusal.TOKEN_EXPIRED | Refusal.TOKEN_INVALID:
            return _refresh_token(
                request, category, expired=outcome.reason is Refusal.TOKEN_EXPIRED
            )
        case Refusal.SENT_TOO_SOON:
            form.is_valid()
            form.add_error(
                None,
                FLOOD_SENT_TOO_SOON % {"seconds": settings.FLOOD_MIN_FILL_SECONDS}
                if outcome.under_flood
                else SENT_TOO_SOON,
            )
        case Refusal.HONEYPOT:
            # Said plainly but without naming the field: nothing is stored.
            form.is_valid()
            form.add_error(None, NOT_SENT)
        case Refusal.FILES_REFUSED if outcome.files is not None:
            explain_file_problems(form, outcome.files)
        case Refusal.STORAGE_FULL:
            form.add_error(None, STORAGE_FULL)
            return _render_form(request, category, form, status=503)
        case Refusal.SECOND_STEP:
            # Not an error: the questions the first answers call for.
            return _render_form(request, category, form, hold=hold, second_step=True)
        case Refusal.GUARDRAIL:
            # A reminder, not an error: the reporter may send the report as it is.
            return _render_form(request, category, form, hold=hold, reminder=True)
    if kept.lost:
        form.add_error("files", HELD_LOST)
    return _render_form(request, category, form, status=400, hold=hold)


def _open_held(request: HttpRequest) -> Kept:
    token = request.POST.get(held.FIELD, "")
    if not token:
        return Kept("", [], lost=False)
    try:
        uploads = held.open_held(token, dropped=request.POST.getlist(held.DROP_FIELD))
    except held.HeldFilesLost:
        return Kept("", [], lost=True)
    return Kept(token, uploads, lost=False)


def _hold_again(request: HttpRequest, kept: Kept, outcome: Refused) -> held.Hold | None:
    """Hold the reporter's files for the form shown again, in place of the
    earlier hold, which goes either way. Only for a genuine form token: a forged
    post stores nothing."""
    hold = None
    if outcome.reason in HOLDS_FILES and _token_is_genuine(request.POST.get("token")):
        new = [
            f for f in request.FILES.getlist("files") if isinstance(f, BoundedUpload)
        ]
        hold = held.hold_files(held.join_within_limits(kept.uploads, new))
    if kept.token:
        held.release_held(kept.token)
    return hold


def _to_receipt_page(
    request: HttpRequest, submission: services.Submission, category: Category
) -> HttpResponse:
    """Redirect to the receipt page, which may show the receipt until the window
    ends. A form sent again after that learns only that it arrived."""
    until = submission.shown_until
    payload: dict[str, Any] = {
        "created": submission.created,
        "category": category.pk,
        "files": [file_summary(f) for f in submission.files],
        "receipt": crypto.format_receipt(submission.receipt) if until else None,
        "originals_kept": submission.originals_kept,
    }
    response = HttpResponseRedirect(reverse("intake:receipt"), status=303)
    browser.end(request, response, browser.RECEIPT_PAGE)
    browser.start(
        response,
        browser.RECEIPT_PAGE,
        payload,
        expires=until or timezone.now() + browser.RECEIPT_PAGE.kind.lifetime,
    )
    return response


@require_http_methods(["GET"])
def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt, while its handle lives; afterwards a page that says it is gone.

    Reloading it or changing the language shows it again, within the window."""
    opened = browser.read(request, browser.RECEIPT_PAGE)
    if opened is None:
        return render(request, "intake/receipt_gone.html")
    payload = opened.payload
    category = Category.objects.filter(pk=payload["category"]).first()
    context = {
        "receipt": payload["receipt"],
        "created": payload["created"],
        "category": category,
        "files": shown_files(payload["files"]),
        "minutes": settings.RECEIPT_SHOWN_SECONDS // 60,
        "originals_kept": payload.get("originals_kept", False),
    }
    return render(request, "intake/receipt.html", context)


@require_http_methods(["GET", "POST"])
def receipt_done(request: HttpRequest) -> HttpResponse:
    """ "I have noted it down": the receipt is no longer shown on this device."""
    response = redirect("intake:receipt")
    if request.method == "POST":
        browser.end(request, response, browser.RECEIPT_PAGE)
    return response


def change_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, for pages without a form to keep; a GET (a
    bookmark, Back then Reload) gets the home page instead of an empty answer."""
    if request.method != "POST":
        return redirect("outreach:home")
    return set_language(request)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def switch_language(request: HttpRequest) -> HttpResponse:
    """Change the language and keep what the reporter typed, without JavaScript.

    The page's language control submits the page's own form here; what it carried
    is kept under a draft handle (encrypted, for minutes) and the page it came from
    shows it again in the new language. Files cannot be kept: the page says so.
    """
    if request.method == "GET":
        return redirect("outreach:home")
    response = set_language(request)
    if not isinstance(response, HttpResponseRedirect):
        return redirect("outreach:home")
    target = response["Location"].split("?", 1)[0]
    data = {k: request.POST.getlist(k) for k in request.POST if k not in NOT_KEPT}
    if data:
        draft = {
            "form": request.POST.get("draft_of", ""),
            "data": data,
            # Held files are not carried into a draft (their key would outlive
            # the form there): they are deleted, and the page says so.
            "files_dropped": bool(request.FILES) or _release(request),
        }
        browser.start(response, browser.DRAFT, draft, path=target)
    response.status_code = 303
    return response


def _release(request: HttpRequest) -> bool:
    token = request.POST.get(held.FIELD, "")
    if token:
        held.release_held(token)
    return bool(token)


@dataclass(frozen=True)
class Draft:
    """What a reporter had typed into one form before changing the language."""

    initial: dict[str, Any]
    files_dropped: bool
    taken: bool


def keep_draft(request: HttpRequest, form: str) -> Draft:
    """The draft of ``form`` as initial values, if one was kept for this page."""
    draft = browser.take_draft(request, form)
    if draft is None:
        return Draft({}, files_dropped=False, taken=False)
    initial = {k: v[0] if len(v) == 1 else v for k, v in draft["data"].items()}
    return Draft(initial, files_dropped=bool(draft["files_dropped"]), taken=True)


def forget_draft(
    request: HttpRequest, response: HttpResponse, draft: Draft
) -> HttpResponse:
    """Drop the draft's cookie once its page has shown it."""
    if draft.taken:
        browser.end(request, response, browser.DRAFT, path=request.path)
    return response


def file_summary(prepared: PreparedFile) -> dict[str, Any]:
    """What the reporter is told about one file, kept across the redirect."""
    return {
        "name": prepared.name,
        "renamed": prepared.renamed,
        "fully_cleaned": prepared.cleaned.fully_cleaned,
        "removed": list(prepared.cleaned.removed),
        "remaining": [[r.code, r.embedded] for r in prepared.cleaned.remaining],
    }


def shown_files(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """File summaries as ``_cleaned_files.html`` reads them, in today's language."""
    return [
        {
            "name": s["name"],
            "renamed": s["renamed"],
            "cleaned": {"fully_cleaned": s["fully_cleaned"]},
            "removed_labels": [str(REMOVED_LABELS[code]) for code in s["removed"]],
            "remaining_labels": _remaining(s, embedded=False),
            "remaining_embedded_labels": _remaining(s, embedded=True),
        }
        for s in summaries
    ]


def _remaining(summary: dict[str, Any], *, embedded: bool) -> list[str]:
    found = [Remaining(code, inside) for code, inside in summary["remaining"]]
    return remaining_labels(found, embedded=embedded)


def explain_file_problems(form: BaseForm, exc: AttachmentsRejected) -> None:
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


def _blank_or_draft_form(request: HttpRequest, category: Category) -> HttpResponse:
    draft = keep_draft(request, REPORT_FORM_ID)
    initial = dict(draft.initial)
    if draft.taken:
        # An unticked box is absent from what was sent: it stays unticked.
        initial.setdefault("keep_originals", False)
    if not _token_is_genuine(initial.get("token")):
        initial["token"] = new_form_token(REPORT_FORM)
        fresh_value(request, initial["token"], form_token=REPORT_FORM)
    form = ReportForm(category=category, initial=initial)
    response = _render_form(request, category, form, files_dropped=draft.files_dropped)
    return forget_draft(request, response, draft)


def _token_is_genuine(token: object) -> bool:
    if not isinstance(token, str):
        return False
    try:
        read_form_token(token, REPORT_FORM)
    except FormTokenInvalid:
        return False
    return True


def _render_form(
    request: HttpRequest,
    category: Category,
    form: ReportForm,
    status: int = 200,
    *,
    files_dropped: bool = False,
    hold: held.Hold | None = None,
    second_step: bool = False,
    reminder: bool = False,
) -> HttpResponse:
    context = {
        "second_step": second_step,
        "reminder": reminder,
        "guardrail_confirmed": request.POST.get(GUARDRAIL_FIELD) == "yes",
        "guardrail_field": GUARDRAIL_FIELD,
        "reminder_text": GUARDRAIL_REMINDER,
        "guardrail_json": json.dumps(category.profile.guardrail, ensure_ascii=False),
        "shown_field": SHOWN_FIELD,
        "category": category,
        "form": form,
        "hold": hold,
        "held_field": held.FIELD,
        "drop_field": held.DROP_FIELD,
        "proof_bits": flood.proof_bits(),
        "files_dropped": files_dropped,
        "keep_form": REPORT_FORM_ID,
    }
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
