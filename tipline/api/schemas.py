"""Typed request and response shapes of the public API (OpenAPI for app makers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema


class Choice(Schema):
    value: str
    label: str


class Question(Schema):
    name: str
    type: str
    label: str
    help: str
    required: bool
    max_length: int | None = None
    choices: list[Choice] = Field(default_factory=list)


class Category(Schema):
    slug: str
    title: str
    description: str
    examples: list[str]
    questions: list[Question]


class Profile(Schema):
    slug: str
    name: str
    intro: str
    originals_default: bool = Field(
        description=(
            "Whether an app's 'also keep the untouched originals' box starts "
            "ticked. The reporter decides: send keep_originals with each report "
            "and message; without it no original is kept."
        )
    )
    texts: dict[str, str] = Field(
        description="Public texts worded for this profile (site_name, …)."
    )
    not_suspicious: list[str]
    categories: list[Category]


class Tokens(Schema):
    """One-time tokens: send ``report`` with a report, ``message`` with a message.
    They expire after 24 hours. Resending a request with the same token is safe:
    it returns the first result instead of storing twice."""

    report: str
    message: str
    proof_bits: int = Field(
        description=(
            "0 normally. During a flood of reports, the difficulty of an optional "
            "proof of work: a decimal number n such that SHA-256 of "
            "'<report token>:<n>' starts with this many zero bits. A report sent "
            "with it as 'proof' is accepted a few seconds after its token was "
            "issued; one without waits longer (HTTP 429 until then)."
        )
    )


class CleanedFile(Schema):
    """``removed``: what was taken out; ``not_removed``: what the final check still
    found (in the file or in what is embedded in it); ``metadata_removed`` is true
    only when nothing remains."""

    name: str
    removed: list[str]
    not_removed: list[str]
    metadata_removed: bool


class Submitted(Schema):
    """``receipt`` is null when the same token was sent again after the receipt
    window (``TIPLINE_RECEIPT_SHOWN_SECONDS``): a copied token must not open the
    report, so only the fact that it arrived is returned."""

    receipt: str | None
    created: bool
    files: list[CleanedFile]
    originals_kept: bool


class Problem(Schema):
    """``errors`` maps a field (or ``__all__``) to messages in the request's
    language."""

    errors: dict[str, list[str]]


class ReceiptIn(Schema):
    receipt: str


class ShownChoice(Schema):
    value: str
    label: str
    retired: bool = Field(
        description="The questionnaire no longer offers this value; label is the value."
    )


class Answer(Schema):
    label: str
    value: str = Field(description="The text, or the chosen labels joined by '; '.")
    choices: list[ShownChoice] = Field(default_factory=list)


class FileOut(Schema):
    name: str


class MessageOut(Schema):
    sender: str
    body: str
    # The reporter's own messages are kept only to the hour; staff replies are
    # given to the minute, as the follow-up page shows them.
    created_at: datetime
    time_precision: Literal["hour", "minute"]
    files: list[FileOut]


class RewardOffer(Schema):
    """A reward or commendation offered to the reporter (issue 14, point 5)."""

    state: str = Field(
        description="open, expired, accepted, paid, declined or withdrawn."
    )
    state_label: str = Field(description="The state in the request's language.")
    tier: str
    criteria: str
    amount: str | None = Field(
        description="Amount and currency, e.g. '3000.00 CNY'; null for a "
        "commendation without money."
    )
    answer_by: datetime
    claim_expires_at: datetime | None
    paid_on: date | None
    payout_instructions: str = Field(
        description="What to do to be paid; given once the offer is accepted."
    )
    certificate: bool = Field(
        description="A certificate can be downloaded from /followup/reward/certificate."
    )


class OwnReport(Schema):
    """``answers`` is empty when the profile does not show reporters their own
    report (``answers_shown`` false). ``reward`` is null unless a reward or
    commendation was offered."""

    category: str
    status: str
    answers_shown: bool
    answers: list[Answer]
    files: list[FileOut]
    messages: list[MessageOut]
    reward: RewardOffer | None = None


class AcceptIn(Schema):
    receipt: str
    printed_name: str = Field(
        "",
        description="On the certificate; empty: an anonymous member of the public.",
    )
    language: str = Field("en", description="en, zh-hans or both.")
    identity: str = Field(
        "", description="Only if the payout needs it; encrypted with the report."
    )


class Accepted(Schema):
    claim_code: str = Field(description="Shown once: the app must show it now.")
    reward: RewardOffer


class DeclineIn(Schema):
    receipt: str
    confirm: bool = Field(description="Must be true: declining cannot be undone.")


class MessageSent(Schema):
    created: bool
    files: list[CleanedFile]
    originals_kept: bool
