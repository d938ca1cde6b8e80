"""The public JSON API for apps: the same services as the HTML pages.

Every endpoint is anonymous and cookie-less (so CSRF does not apply) and answers in
the language of the request's Accept-Language header. Like the pages, it never sees
the client's address or user agent (tipline.lib.middleware strips them first).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Form, NinjaAPI, UploadedFile
from ninja.responses import Status

from tipline import crypto
from tipline.api import schemas
from tipline.cases.models import Channel
from tipline.cases.services import PlainAttachment, PlainCase
from tipline.intake import flood, rewards, services
from tipline.intake.attachments import AttachmentsRejected, PreparedFile
from tipline.intake.forms import (
    GUARDRAIL_REMINDER,
    KEEP_ORIGINALS_VALUE,
    RECEIPT_NOT_OPENED,
    STORAGE_FULL,
    MessageForm,
    ReceiptForm,
    ReportForm,
)
from tipline.intake.selectors import get_active_category
from tipline.intake.submission import Refusal, Refused, take_message, take_report
from tipline.lib.i18n import localized
from tipline.lib.tokens import (
    new_form_token,
)
from tipline.profiles.answers import shown_answers
from tipline.profiles.loader import ensure_default_profile, public_texts
from tipline.profiles.models import Category
from tipline.rewards.errors import RewardRefused
from tipline.rewards.models import Offer
from tipline.rewards.services import accept_offer, decline_offer, offer_for

# No interactive docs page: Swagger UI would load script from a third-party CDN.
api = NinjaAPI(
    title="Tipline public API", version="1", urls_namespace="api", docs_url=None
)


# Errors Django raises while reading the body (size and count limits, broken
# multipart) would otherwise reach the HTML error pages: an app gets JSON in
# the same shape as every other refusal.
BODY_REFUSED = {
    RequestDataTooBig: (
        413,
        gettext_lazy("The request is larger than this service accepts."),
    ),
    TooManyFilesSent: (400, gettext_lazy("Too many files in one request.")),
    TooManyFieldsSent: (400, gettext_lazy("Too many fields in one request.")),
    MultiPartParserError: (
        400,
        gettext_lazy("The request body is not valid multipart form data."),
    ),
    SuspiciousOperation: (400, gettext_lazy("The request was refused.")),
}


def _body_refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    status, message = next(
        answer for kind, answer in BODY_REFUSED.items() if isinstance(exc, kind)
    )
    return api.create_response(
        request, _problem("__all__", str(message)), status=status
    )


def _storage_full(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Out of space anywhere in a call (a session, an audit entry): a clear 503,
    as for a report. Any other error is raised again, to the logged 500."""
    try:
        with services.storage_full_as_error():
            raise exc
    except services.StorageFull:
        problem = _problem("__all__", str(STORAGE_FULL))
        return api.create_response(request, problem, status=503)


# django-ninja's annotation lets a handler be given the exception's class; it is
# always given the exception itself.
for _kind in BODY_REFUSED:
    api.add_exception_handler(_kind, _body_refused)  # type: ignore[arg-type]
api.add_exception_handler(OSError, _storage_full)  # type: ignore[arg-type]
api.add_exception_handler(OperationalError, _storage_full)  # type: ignore[arg-type]


@api.get("/profile", response=schemas.Profile, summary="Categories and questions")
def profile(request: HttpRequest) -> dict[str, Any]:
    active = ensure_default_profile()
    return {
        "slug": active.slug,
        "name": localized(active.name),
        "intro": localized(active.intro),
        "originals_default": active.originals_default,
        "texts": public_texts(active),
        "not_suspicious": [localized(item) for item in active.not_suspicious],
        "categories": [_category(c) for c in active.categories.filter(active=True)],
    }


@api.get("/tokens", response=schemas.Tokens, summary="One-time form tokens")
def tokens(request: HttpRequest) -> dict[str, Any]:
    return {
        "report": new_form_token(services.REPORT_FORM),
        "message": new_form_token(services.MESSAGE_FORM),
        "proof_bits": flood.proof_bits(),
    }


@api.post(
    "/reports",
    response={
        201: schemas.Submitted,
        200: schemas.Submitted,
        400: schemas.Problem,
        409: schemas.Problem,
        429: schemas.Problem,
        503: schemas.Problem,
    },
    summary="Send a report",
)
def submit_report(
    request: HttpRequest,
    category: Form[str],
    token: Form[str],
    answers: Form[str],
    # None makes the part optional in the OpenAPI schema (django-ninja's idiom).
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    proof: Form[str] = "",
    keep_originals: Form[str] = "",
    reward_wish: Form[str] = "",
    guardrail_confirmed: Form[str] = "",
) -> Status[Any]:
    """``answers`` is a JSON object of question name to text (a list of values for
    a multiple choice); files are optional. ``proof`` is the optional proof of work
    described under ``/tokens``. ``keep_originals`` is the reporter's choice to
    keep the untouched originals of the files as well: ``true`` or ``false``;
    without it, nothing but the cleaned copies is kept, whatever the profile's
    ``originals_default`` (which is only how an app should preset its box).
    ``reward_wish``: ``true`` if the reporter wants to be considered for a reward
    or commendation (an app should say, as the form does, that some payouts may
    need their identity later); ``false`` or absent otherwise.
    ``guardrail_confirmed``: a text that names a protected characteristic (a
    religion, a nationality, …) and describes no behaviour is answered with 409
    and the reminder under ``errors.guardrail``; the app shows the reminder and,
    if the reporter sends the report as it is, sends it again with ``true``.
    Nothing about the check is stored."""
    chosen = get_active_category(category)
    keep = _strict_bool(keep_originals)
    if keep is None:
        return Status(400, _problem("keep_originals", str(KEEP_ORIGINALS_INVALID)))
    wish = _strict_bool(reward_wish)
    if wish is None:
        return Status(400, _problem("reward_wish", str(REWARD_WISH_INVALID)))
    try:
        data = _answers_object(answers)
    except UnicodeError:
        return Status(400, _problem("answers", str(NOT_UNICODE)))
    except (ValueError, RecursionError):
        return Status(
            400, {"errors": {"answers": [_("Send the answers as a JSON object.")]}}
        )
    form = ReportForm(
        MultiValueDict(
            _form_data(chosen, data)
            | {
                "token": [token],
                "keep_originals": [KEEP_ORIGINALS_VALUE] if keep else [],
                "reward_wish": [KEEP_ORIGINALS_VALUE] if wish else [],
            }
        ),
        MultiValueDict({"files": files or []}),
        category=chosen,
    )
    confirmed = _strict_bool(guardrail_confirmed)
    if confirmed is None:
        return Status(
            400, _problem("guardrail_confirmed", str(GUARDRAIL_CONFIRMED_INVALID))
        )
    submission = take_report(
        category=chosen,
        form=form,
        token=token,
        proof=proof,
        guardrail_confirmed=confirmed,
        channel=Channel.APP,
    )
    if isinstance(submission, Refused):
        return _refused(submission, form)
    shown = submission.shown_until is not None
    body = {
        "receipt": crypto.format_receipt(submission.receipt) if shown else None,
        "created": submission.created,
        "files": _cleaned(submission.files),
        "originals_kept": submission.originals_kept,
    }
    return Status(201 if submission.created else 200, body)


@api.post(
    "/followup",
    response={200: schemas.OwnReport, 400: schemas.Problem},
    summary="Read your report with its receipt",
)
def followup(request: HttpRequest, payload: schemas.ReceiptIn) -> Status[Any]:
    access = _access(payload.receipt)
    if access is None:
        return Status(400, _problem("receipt", str(RECEIPT_NOT_OPENED)))
    own = _own_report(services.read_own_report(access))
    return Status(200, {**own, "reward": _reward(access)})


NO_OFFER = gettext_lazy("No reward or commendation has been offered for this report.")


@api.post(
    "/followup/reward/accept",
    response={200: schemas.Accepted, 400: schemas.Problem},
    summary="Accept a reward offer: the claim code, shown once",
)
def accept_reward(request: HttpRequest, payload: schemas.AcceptIn) -> Status[Any]:
    """The claim code is in this answer only: nothing can show it again. A second
    acceptance, an expired or withdrawn offer, a name with control characters
    or too long are refused (400) and change nothing."""
    found = _offer_of(payload.receipt)
    if isinstance(found, Status):
        return found
    access, offer = found
    form = rewards.AcceptForm(
        {
            "printed_name": payload.printed_name,
            "language": payload.language,
            "identity": payload.identity,
        }
    )
    if not form.is_valid():
        return Status(400, {"errors": _errors(form)})
    receipt = crypto.normalise_receipt(payload.receipt)
    try:
        code = accept_offer(
            offer=offer,
            keys=rewards.reporter_keys(receipt, access),
            acceptance=form.acceptance(),
        )
    except RewardRefused as refused:
        return Status(400, _problem("__all__", refused.message))
    return Status(200, {"claim_code": code, "reward": _reward(access)})


@api.post(
    "/followup/reward/decline",
    response={200: schemas.RewardOffer, 400: schemas.Problem},
    summary="Decline a reward offer",
)
def decline_reward(request: HttpRequest, payload: schemas.DeclineIn) -> Status[Any]:
    found = _offer_of(payload.receipt)
    if isinstance(found, Status):
        return found
    access, offer = found
    if not payload.confirm:
        return Status(400, _problem("confirm", str(rewards.DECLINE_UNCONFIRMED)))
    try:
        decline_offer(offer=offer)
    except RewardRefused as refused:
        return Status(400, _problem("__all__", refused.message))
    return Status(200, _reward(access))


@api.post(
    "/followup/reward/certificate",
    response={200: None, 400: schemas.Problem},
    summary="Download the certificate of commendation (PDF)",
)
def reward_certificate(request: HttpRequest, payload: schemas.ReceiptIn) -> Any:
    access = _access(payload.receipt)
    if access is None:
        return Status(400, _problem("receipt", str(RECEIPT_NOT_OPENED)))
    made = rewards.certificate(crypto.normalise_receipt(payload.receipt), access)
    if made is None:
        return Status(400, _problem("__all__", str(NO_CERTIFICATE)))
    response = HttpResponse(made.pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="certificate.pdf"'
    return response


NO_CERTIFICATE = gettext_lazy("There is no certificate for this report.")


def _offer_of(
    receipt: str,
) -> tuple[services.ReporterAccess, Offer] | Status[Any]:
    """The report the receipt opens and its offer, or the 400 that says which is
    missing."""
    access = _access(receipt)
    if access is None:
        return Status(400, _problem("receipt", str(RECEIPT_NOT_OPENED)))
    offer = offer_for(access.case)
    if offer is None:
        return Status(400, _problem("__all__", str(NO_OFFER)))
    return access, offer


def _reward(access: services.ReporterAccess) -> dict[str, Any] | None:
    shown = rewards.reporter_offer(access)
    if shown is None:
        return None
    return {
        "state": shown.state,
        "state_label": shown.state_label,
        "tier": shown.tier,
        "criteria": shown.criteria,
        "amount": shown.amount,
        "answer_by": shown.answer_by,
        "claim_expires_at": shown.claim_expires_at,
        "paid_on": shown.paid_on,
        "payout_instructions": shown.instructions,
        "certificate": shown.has_certificate,
    }


@api.post(
    "/followup/messages",
    response={
        201: schemas.MessageSent,
        200: schemas.MessageSent,
        400: schemas.Problem,
        503: schemas.Problem,
    },
    summary="Send a message about your report",
)
def send_message(
    request: HttpRequest,
    receipt: Form[str],
    token: Form[str],
    body: Form[str],
    # None makes the part optional in the OpenAPI schema (django-ninja's idiom).
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    keep_originals: Form[str] = "",
) -> Status[Any]:
    """``keep_originals``: as for ``/reports``, for this message's files."""
    keep = _strict_bool(keep_originals)
    if keep is None:
        return Status(400, _problem("keep_originals", str(KEEP_ORIGINALS_INVALID)))
    receipt_form = ReceiptForm({"receipt": receipt})
    form = MessageForm(
        {
            "token": token,
            "body": body,
            "keep_originals": KEEP_ORIGINALS_VALUE if keep else "",
        },
        MultiValueDict({"files": files or []}),
    )
    if not (receipt_form.is_valid() & form.is_valid()):
        return Status(400, {"errors": {**_errors(receipt_form), **_errors(form)}})
    access = _access(receipt_form.cleaned_data["receipt"])
    if access is None:
        return Status(400, _problem("receipt", str(RECEIPT_NOT_OPENED)))
    sent = take_message(access=access, form=form)
    if isinstance(sent, Refused):
        return _refused(sent, form)
    result = {
        "created": sent.created,
        "files": _cleaned(sent.files),
        "originals_kept": sent.originals_kept,
    }
    return Status(201 if sent.created else 200, result)


def _refused(refused: Refused, form: ReportForm | MessageForm) -> Status[Any]:
    """A refusal of the submission service as the API's JSON problem."""
    match refused.reason:
        case Refusal.TOKEN_EXPIRED | Refusal.TOKEN_INVALID:
            return Status(
                400, _problem("token", _("This token is not valid or has expired."))
            )
        case Refusal.SENT_TOO_SOON:
            # The app should fetch its token when the reporter opens the form.
            return Status(429, _problem("token", str(SENT_TOO_SOON)))
        case Refusal.FILES_REFUSED if refused.files is not None:
            return Status(400, _file_problems(refused.files))
        case Refusal.STORAGE_FULL:
            return Status(503, _problem("__all__", str(STORAGE_FULL)))
        case Refusal.INVALID:
            return Status(400, {"errors": _errors(form)})
        case Refusal.GUARDRAIL:
            return Status(409, _problem("guardrail", str(GUARDRAIL_REMINDER)))
    # The honeypot: an app never sends it (only question names reach the form).
    return Status(400, _problem("__all__", _("The request was refused.")))


def _category(category: Category) -> dict[str, Any]:
    return {
        "slug": category.slug,
        "title": category.local_title,
        "description": category.local_description,
        "examples": category.local_examples,
        "questions": [
            {
                "name": spec["name"],
                "type": spec["type"],
                "label": localized(spec["label"]),
                "help": localized(spec.get("help")),
                "required": bool(spec.get("required")),
                "max_length": spec.get("max_length"),
                "choices": [
                    {"value": c["value"], "label": localized(c["label"])}
                    for c in spec.get("choices", [])
                ],
            }
            for spec in category.fields
        ],
    }


SENT_TOO_SOON = gettext_lazy(
    "Sent too soon after the token was issued. Send it again shortly."
)
KEEP_ORIGINALS_INVALID = gettext_lazy(
    "Send keep_originals as true or false, or leave it out."
)
REWARD_WISH_INVALID = gettext_lazy(
    "Send reward_wish as true or false, or leave it out."
)
GUARDRAIL_CONFIRMED_INVALID = gettext_lazy(
    "Send guardrail_confirmed as true or false, or leave it out."
)


NOT_UNICODE = gettext_lazy(
    "The answers hold text that is not valid Unicode (a lone surrogate escape)."
)


def _answers_object(text: str) -> dict[str, Any]:
    """The answers as a JSON object. JSON may spell a lone surrogate ("\\ud800"),
    which no UTF-8 text can hold: refused here (UnicodeError) rather than failing
    when the answers are sealed. Nesting deep enough to exhaust the parser's
    recursion raises RecursionError."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    json.dumps(data, ensure_ascii=False).encode("utf-8")
    return data


def _strict_bool(raw: str) -> bool | None:
    """A reporter's choice, strictly: anything but true/false is refused, so a
    client's typo never keeps an original by guesswork. None if refused."""
    return {"": False, "false": False, "true": True}.get(raw.strip().lower())


def _form_data(category: Category, data: dict[str, Any]) -> dict[str, list[str]]:
    """The answers as a form would post them. A multiple choice arrives as a JSON
    list of values; anything else is one text, so a list sent for a text question
    is kept whole (as its JSON-ish text) rather than cut to one item."""
    several = {s["name"] for s in category.fields if s["type"] == "multichoice"}
    # Only the category's questions: the form's own fields (the token, the
    # originals choice, the honeypot) come from the API's parameters alone.
    questions = {s["name"] for s in category.fields}
    return {
        name: (
            [str(item) for item in value]
            if name in several and isinstance(value, list)
            else [str(value)]
        )
        for name, value in data.items()
        if name in questions
    }


def _access(receipt: str) -> services.ReporterAccess | None:
    try:
        return services.access_with_receipt(receipt)
    except (crypto.MalformedReceipt, services.ReceiptNotFound, crypto.DecryptionFailed):
        return None


def _errors(form: forms.Form) -> dict[str, list[str]]:
    return {
        field: [str(m) for m in messages] for field, messages in form.errors.items()
    }


def _problem(field: str, message: str) -> dict[str, Any]:
    return {"errors": {field: [message]}}


def _file_problems(exc: AttachmentsRejected) -> dict[str, Any]:
    return {"errors": {"files": [f"{p.name}: {p.message}" for p in exc.problems]}}


def _cleaned(files: list[PreparedFile]) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "removed": f.removed_labels,
            "not_removed": f.remaining_labels + f.remaining_embedded_labels,
            "metadata_removed": f.cleaned.fully_cleaned,
        }
        for f in files
    ]


def _names(files: list[PlainAttachment]) -> list[dict[str, str]]:
    return [{"name": f.details["name"]} for f in files]


def _own_report(plain: PlainCase) -> dict[str, Any]:
    category = plain.case.report.category
    answers_shown = category.profile.followup_shows_report
    return {
        "category": category.local_title,
        "status": plain.case.reporter_status,
        "answers_shown": answers_shown,
        "answers": [
            {
                "label": shown.label,
                "value": shown.text,
                "choices": [
                    {"value": c.value, "label": c.label, "retired": c.retired}
                    for c in shown.choices
                ],
            }
            for shown in shown_answers(plain.answers if answers_shown else [], category)
        ],
        "files": _names(plain.attachments),
        "messages": [
            {
                "sender": "you" if m.author_kind == "reporter" else "staff",
                "body": m.body,
                "created_at": m.created_at.replace(second=0, microsecond=0),
                "time_precision": "hour" if m.time_is_coarse else "minute",
                "files": _names(m.attachments),
            }
            for m in plain.messages
        ],
    }


# Last, so every real endpoint matches first: an unknown API address is answered
# in JSON too, not with the HTML 404 page.
@api.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    response={404: schemas.Problem},
    include_in_schema=False,
)
def unknown_endpoint(request: HttpRequest, rest: str) -> Status[Any]:
    return Status(404, _problem("__all__", _("There is no such API endpoint.")))
