"""Payouts (issue 14, point 6): finance staff enter the claim code the claimant
presents and record how it was paid; the page lists the accepted offers waiting
for payment and the latest payments.

Finance staff cannot read cases, so nothing here comes from one: offers are
shown by number, tier and amount only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tipline.accounts.decorators import StaffRequest
from tipline.rewards import selectors, services
from tipline.rewards.claims import MAX_REFERENCE_CHARS
from tipline.rewards.models import Offer, PayoutMethod, money
from tipline.rewards.services import RewardRefused
from tipline.staffsettings.pages import settings_page

# Which field a refusal of record_payout is about; the others show above the form.
REFUSAL_FIELDS = {
    "wrong_code": "code",
    "used": "code",
    "not_accepted": "code",
    "claim_expired": "code",
    "method": "method",
    "reference": "reference",
}


class PayoutForm(forms.Form):
    code = forms.CharField(
        label=_("Claim code"),
        # 28 digits, their spaces or dashes, and room for a stray character or two;
        # the service says what is wrong with anything shorter.
        max_length=60,
        help_text=_("The 28 digits the claimant presents. Spaces and dashes are fine."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    # A date input takes its value as YYYY-MM-DD whatever the page's language
    # (Chinese formats would show 2026/12/02, which it drops: an empty field).
    paid_on = forms.DateField(
        label=_("Date paid"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=[("", _("Choose…")), *PayoutMethod.choices]
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=MAX_REFERENCE_CHARS,
        required=False,
        help_text=_(
            "The payment's own reference, such as a transfer number. Never the "
            "claimant's name."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_paid_on(self) -> Any:
        # Whether the date is before this offer was accepted is the claims
        # service's to check: only it finds the offer from the code. What the form
        # can know without it: not in the future, and not before the oldest
        # acceptance whose code has not expired yet.
        paid_on = self.cleaned_data["paid_on"]
        today = timezone.localdate()
        if paid_on > today:
            raise forms.ValidationError(
                gettext("The date paid cannot be in the future.")
            )
        earliest = today - timedelta(days=settings.REWARD_CLAIM_DAYS)
        if paid_on < earliest:
            raise forms.ValidationError(
                gettext(
                    "A claim code works for %(days)d days after the reward is "
                    "accepted, so the date paid cannot be before %(date)s."
                )
                % {"days": settings.REWARD_CLAIM_DAYS, "date": earliest.isoformat()}
            )
        return paid_on


def paid_message(offer: Offer) -> str:
    return gettext("Paid %(amount)s, %(tier)s, offer #%(offer)s.") % {
        "amount": money(offer.amount, offer.currency),
        "tier": offer.share.proposal.tier.local_name,
        "offer": offer.pk,
    }


@settings_page("reward_payouts")
def payouts(request: StaffRequest) -> HttpResponse:
    form = PayoutForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                offer = services.record_payout(
                    user=request.user,
                    code=data["code"],
                    paid_on=data["paid_on"],
                    method=data["method"],
                    reference=data["reference"],
                )
            except RewardRefused as refused:
                form.add_error(REFUSAL_FIELDS.get(refused.cause), refused.message)
            else:
                messages.success(request, paid_message(offer))
                return redirect("staffsettings:reward_payouts")
        else:
            services.refuse_payout(user=request.user, fields=list(form.errors))
        status = 400
    context = {
        "form": form,
        "awaiting": selectors.awaiting_payout(),
        "payouts": selectors.latest_payouts(),
        "settings_page": "reward_payouts",
    }
    return render(request, "staffsettings/reward_payouts.html", context, status=status)
