"""The one way a report or a reporter's message is taken in, for the HTML pages
and the JSON API alike.

Both front doors used to rebuild this flow each in its own view: the one-time
form token with its flood-aware minimum age, the honeypot, validation, files
refused by the scrubber, a full disk, and counting reports for the flood guard.
Here it is written once; a view only turns the outcome into a page or JSON.

An outcome is either what was stored (``services.Submission`` or
``services.MessageResult``) or a ``Refused`` saying why nothing was: the form
then carries its field errors, ``Refused.files`` the files' problems.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tipline.cases.models import Channel
from tipline.intake import flood, services
from tipline.intake import held as held_files
from tipline.intake.attachments import AttachmentsRejected
from tipline.intake.forms import MessageForm, ReportForm
from tipline.intake.uploads import BoundedUpload
from tipline.lib.tokens import (
    FormSentTooSoon,
    FormTokenExpired,
    FormTokenInvalid,
    read_form_token,
    token_digest,
)
from tipline.profiles import guardrail
from tipline.profiles.models import Category

T = TypeVar("T")


class Refusal(enum.Enum):
    TOKEN_EXPIRED = enum.auto()  # the form was open too long
    TOKEN_INVALID = enum.auto()  # forged, used for another form, or altered
    SENT_TOO_SOON = enum.auto()  # before the minimum time to fill the form
    HONEYPOT = enum.auto()  # the field people never see was filled in
    INVALID = enum.auto()  # field errors, on the form
    FILES_REFUSED = enum.auto()  # a file the scrubber refused: ``files``
    STORAGE_FULL = enum.auto()  # no space left: nothing was stored
    HELD_LOST = enum.auto()  # files held for a second step could not be opened
    SECOND_STEP = enum.auto()  # questions the answers call for were not shown yet
    GUARDRAIL = enum.auto()  # names a protected characteristic, no behaviour


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    files: AttachmentsRejected | None = None
    # For SENT_TOO_SOON: the minimum age was raised because of a flood.
    under_flood: bool = False


def take_report(
    *,
    category: Category,
    form: ReportForm,
    token: str,
    channel: Channel,
    proof: str = "",
    held: Sequence[BoundedUpload] = (),
    held_lost: bool = False,
    guardrail_confirmed: bool = False,
) -> services.Submission | Refused:
    """Check and store a report sent with ``form`` (bound to the answers, the
    files and the reporter's choice about originals) and its form ``token``
    through ``channel`` (the web form or the app);
    ``proof`` is the optional proof of work that shortens the wait in a flood.
    ``held``: files kept from an earlier step of the same form, which join the
    new ones; ``held_lost``: the form said files were kept but they could not be
    opened, so a new report is refused (it would lack them) while the same form
    sent again still finds the report it made. ``guardrail_confirmed``: the
    reporter saw the guardrail's reminder and sends the report as it is; until
    then a text that names a protected characteristic and no behaviour is
    refused with GUARDRAIL (nothing about it is stored or logged)."""
    try:
        secret = read_form_token(
            token,
            services.REPORT_FORM,
            min_age=flood.minimum_fill_time(token=token, proof=proof),
        )
    except FormTokenExpired:
        return Refused(Refusal.TOKEN_EXPIRED)
    except FormTokenInvalid:
        return Refused(Refusal.TOKEN_INVALID)
    except FormSentTooSoon:
        return Refused(Refusal.SENT_TOO_SOON, under_flood=flood.under_flood())
    if form.honeypot_filled:
        return Refused(Refusal.HONEYPOT)
    if not form.is_valid():
        return Refused(Refusal.INVALID)
    if held_lost and not services.already_received(token_secret=secret):
        return Refused(Refusal.HELD_LOST)
    if form.pending:
        return Refused(Refusal.SECOND_STEP)
    if not guardrail_confirmed and guardrail.needs_reminder(
        form.typed_texts(), category.profile.guardrail
    ):
        return Refused(Refusal.GUARDRAIL)
    uploads = held_files.join_within_limits(held, form.cleaned_data["files"])
    submission = _stored(
        lambda: services.submit_report(
            category=category,
            answers=form.answers(),
            token_secret=secret,
            uploads=uploads,
            keep_originals=form.cleaned_data["keep_originals"],
            reward_wish=form.cleaned_data["reward_wish"],
            channel=channel,
        )
    )
    if not isinstance(submission, Refused) and submission.created:
        flood.record_report()
    return submission


def take_message(
    *, access: services.ReporterAccess, form: MessageForm
) -> services.MessageResult | Refused:
    """Check and store a reporter's message sent with ``form`` (its body, files,
    originals choice and form token) on the case ``access`` opens."""
    if not form.is_valid():
        return Refused(Refusal.INVALID)
    try:
        secret = read_form_token(form.cleaned_data["token"], services.MESSAGE_FORM)
    except FormTokenExpired:
        return Refused(Refusal.TOKEN_EXPIRED)
    except FormTokenInvalid:
        return Refused(Refusal.TOKEN_INVALID)
    return _stored(
        lambda: services.post_reporter_message(
            access=access,
            body=form.cleaned_data["body"],
            token_digest=token_digest(secret, services.MESSAGE_FORM),
            uploads=form.cleaned_data["files"],
            keep_originals=form.cleaned_data["keep_originals"],
        )
    )


def _stored(store: Callable[[], T]) -> T | Refused:
    """Run ``store``; a refused file or a full disk is a refusal (nothing was
    stored: the services clean up after themselves)."""
    try:
        with services.storage_full_as_error():
            return store()
    except AttachmentsRejected as exc:
        return Refused(Refusal.FILES_REFUSED, files=exc)
    except services.StorageFull:
        return Refused(Refusal.STORAGE_FULL)
