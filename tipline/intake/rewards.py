"""A reward offer as the reporter sees and answers it, on the follow-up page and
in the API (issue 14, points 5 to 7): what is offered, what happens next, by when
to answer, and once accepted the claim code, the payout instructions and the
certificate.

The receipt opens everything here: the case's data key (the reporter's identity,
if they give one, is encrypted with it) and a key only the receipt derives (under
which their certificate's code is kept, so staff cannot open it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tipline import crypto
from tipline.intake import services
from tipline.rewards import claims
from tipline.rewards.certificates import Certificate
from tipline.rewards.certificates_text import LANGUAGE_CHOICES
from tipline.rewards.models import Offer, OfferStatus, money
from tipline.rewards.models.policy import localised


class State:
    OPEN = "open"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    PAID = "paid"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


STATE_LABELS = {
    State.OPEN: _("Offered: waiting for your answer"),
    State.EXPIRED: _("The time to answer has passed"),
    State.ACCEPTED: _("Accepted: waiting to be paid"),
    State.PAID: _("Paid"),
    State.DECLINED: _("Declined"),
    State.WITHDRAWN: _("Withdrawn"),
}

ACCEPTED_COMMENDATION = _("Accepted")


@dataclass(frozen=True)
class ReporterOffer:
    """An offer in the reporter's language."""

    offer: Offer
    state: str
    tier: str
    criteria: str
    # "3000.00 CNY"; None for a commendation without money.
    amount: str | None
    answer_by: datetime
    claim_expires_at: datetime | None
    paid_on: date | None
    instructions: str
    has_certificate: bool

    @property
    def state_label(self) -> str:
        if self.state == State.ACCEPTED and self.commendation_only:
            return str(ACCEPTED_COMMENDATION)
        return str(STATE_LABELS[self.state])

    @property
    def answerable(self) -> bool:
        return self.state == State.OPEN

    @property
    def commendation_only(self) -> bool:
        return self.amount is None


def reporter_offer(access: services.ReporterAccess) -> ReporterOffer | None:
    """The newest offer on the reporter's case, whatever its state, or None."""
    offer = claims.offer_for(access.case)
    if offer is None:
        return None
    tier = offer.share.proposal.tier
    policy = offer.share.proposal.policy
    accepted = offer.status in (OfferStatus.ACCEPTED, OfferStatus.PAID)
    return ReporterOffer(
        offer=offer,
        state=_state(offer),
        tier=tier.local_name,
        criteria=tier.local_criteria,
        amount=None if offer.amount == 0 else money(offer.amount, offer.currency),
        answer_by=offer.answer_by,
        claim_expires_at=offer.claim_expires_at,
        paid_on=offer.paid_at,
        instructions=localised(policy.payout_instructions) if accepted else "",
        has_certificate=offer.certificate_sealed is not None,
    )


def _state(offer: Offer) -> str:
    if claims.is_expired(offer):
        return State.EXPIRED
    return {
        OfferStatus.OFFERED: State.OPEN,
        OfferStatus.ACCEPTED: State.ACCEPTED,
        OfferStatus.PAID: State.PAID,
        OfferStatus.DECLINED: State.DECLINED,
        OfferStatus.WITHDRAWN: State.WITHDRAWN,
    }[OfferStatus(offer.status)]


def reporter_keys(receipt: str, access: services.ReporterAccess) -> claims.ReporterKeys:
    """The keys a (normalised) receipt opens for the reward flow."""
    own = crypto.reporter_only_key(receipt, settings.RECEIPT_PEPPER.encode())
    return claims.ReporterKeys(data_key=access.data_key, own_key=own)


def certificate(receipt: str, access: services.ReporterAccess) -> Certificate | None:
    """The reporter's certificate, or None if their case has none."""
    offer = claims.offer_for(access.case)
    if offer is None:
        return None
    return claims.certificate_for(offer, reporter_keys(receipt, access).own_key)


def default_language() -> str:
    language = translation.get_language() or "en"
    return language if language in LANGUAGE_CHOICES else "en"


class AcceptForm(forms.Form):
    """What the reporter chooses on accepting; every field may stay empty."""

    printed_name = forms.CharField(
        label=_("Name to print on the certificate (optional)"),
        max_length=claims.MAX_PRINTED_NAME_CHARS,
        required=False,
        strip=True,
        help_text=_(
            "Leave it empty and the certificate says “an anonymous member of the "
            "public”. Anyone you show the certificate to, and anyone who checks "
            "its code, reads this name."
        ),
    )
    language = forms.ChoiceField(
        label=_("Print the certificate in"),
        choices=[
            ("en", "English"),
            ("zh-hans", "简体中文"),
            ("both", _("Both: English and Chinese")),
        ],
    )
    identity = forms.CharField(
        label=_("What you give for the payout (optional)"),
        max_length=claims.MAX_IDENTITY_CHARS,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only if the way you want to be paid needs it, for example the name "
            "and number of a bank account. Leave it empty to stay anonymous: the "
            "claim code is enough. What you write is encrypted with your report: "
            "only the staff handling your report can read it."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"language": default_language()})
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["autocomplete"] = "off"

    def acceptance(self) -> claims.Acceptance:
        return claims.Acceptance(
            printed_name=self.cleaned_data["printed_name"],
            language=self.cleaned_data["language"],
            identity=self.cleaned_data["identity"],
        )


DECLINE_UNCONFIRMED = _("Tick the box to decline the offer.")


class DeclineForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I decline this offer. I understand this cannot be undone."),
        error_messages={"required": DECLINE_UNCONFIRMED},
    )
