"""Reward proposals (issue 14, points 3 and 4): proposing a reward on a case
closed as substantiated, and the approvers' page that lists proposals and
decides them, with a fresh second-factor code."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tipline.accounts.decorators import StaffRequest
from tipline.cases import selectors as cases
from tipline.cases.models import Case, Outcome, Status
from tipline.cases.views import needs_unlocked_key
from tipline.rewards import selectors, services
from tipline.rewards.models import Offer, Proposal, ProposalStatus, Tier
from tipline.rewards.services import MAX_JUSTIFICATION_CHARS, RewardRefused
from tipline.staffsettings.pages import settings_page
from tipline.staffsettings.rewards import parse_amount


class ProposeForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("Tier"), coerce=int, widget=forms.RadioSelect)
    amount = forms.CharField(
        label=_("Amount"),
        max_length=30,
        required=False,
        help_text=_(
            "In the tier's currency, e.g. 5000.00. Leave empty for a commendation."
        ),
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=MAX_JUSTIFICATION_CHARS,
        widget=forms.Textarea,
        help_text=_(
            "Why the report deserves it. Encrypted with the case: only "
            "people who can read the case can read it."
        ),
    )

    def __init__(self, *args: Any, tiers: list[Tier], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tiers = {tier.pk: tier for tier in tiers}
        cast(forms.ChoiceField, self.fields["tier"]).choices = [
            (tier.pk, f"{tier.local_name} · {tier.range_display}") for tier in tiers
        ]

    def tier_and_amount(self) -> tuple[Tier, int] | None:
        tier = self.tiers[self.cleaned_data["tier"]]
        if tier.commendation_only and not (self.cleaned_data["amount"] or "").strip():
            return tier, 0
        amount = parse_amount(self, "amount", tier.currency or "CNY")
        return None if amount is None else (tier, amount)


def _tiers_for(case: Case) -> list[Tier]:
    policy = services.policy_for(case.report.category.profile.slug)
    return list(policy.tiers.all())


def _schedule_for(case: Case) -> list[tuple[str, int, bool]]:
    """The policy's award schedule as (kind of outcome, points, this case's
    outcome?), a guide to the tier; empty if the policy has none."""
    policy = services.policy_for(case.report.category.profile.slug)
    labels = dict(Outcome.choices)
    return [
        (str(labels.get(kind, kind)), points, kind == case.outcome)
        for kind, points in policy.award_schedule.items()
    ]


def _may_propose(case: Case) -> bool:
    return case.status == Status.CLOSED and case.outcome == Outcome.SUBSTANTIATED


@needs_unlocked_key
def propose(request: StaffRequest, case_id: int, *, private_key: bytes) -> HttpResponse:
    case = cases.get_case_for_user(request.user, case_id)
    form = ProposeForm(request.POST or None, tiers=_tiers_for(case))
    status = 200
    if request.method == "POST":
        chosen = form.tier_and_amount() if form.is_valid() else None
        if chosen is not None:
            try:
                services.propose(
                    case=case,
                    user=request.user,
                    private_key=private_key,
                    tier=chosen[0],
                    amount=chosen[1],
                    justification=form.cleaned_data["justification"],
                )
            except RewardRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(
                    request, gettext("Reward proposed. A rewards approver decides.")
                )
                return redirect("staffsettings:propose_reward", case_id=case.pk)
        status = 400
    context = {
        "case": case,
        "form": form,
        "may_propose": _may_propose(case),
        "proposals": selectors.proposals_on(case),
        "schedule": _schedule_for(case),
    }
    return render(request, "staffsettings/reward_propose.html", context, status=status)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *ProposalStatus.choices],
    )
    year = forms.IntegerField(
        label=_("Year proposed"), required=False, min_value=2000, max_value=2100
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tier"]).choices = [
            ("", _("All")),
            *(
                (tier.pk, f"{tier.policy.profile_slug}: {tier.local_name}")
                for tier in selectors.tiers_in_use()
            ),
        ]


PAGE_SIZE = 100


@settings_page("reward_proposals")
def proposals(request: StaffRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = selectors.ProposalFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.ProposalFilters(
            status=form.cleaned_data["status"] or "",
            year=form.cleaned_data["year"],
            tier=form.cleaned_data["tier"],
        )
    context = {
        "filter_form": form,
        "proposals": selectors.proposals(filters)[:PAGE_SIZE],
        "settings_page": "reward_proposals",
    }
    return render(request, "staffsettings/reward_proposals.html", context)


class CodeField(forms.CharField):
    def __init__(self) -> None:
        super().__init__(
            label=_("Code from your authenticator app"),
            max_length=40,
            help_text=_("A new code: the one you signed in with has been used."),
            widget=forms.TextInput(
                attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
            ),
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=MAX_JUSTIFICATION_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Encrypted with the case. The reporter sees only that it was withdrawn."
        ),
    )
    code = CodeField()


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_JUSTIFICATION_CHARS, widget=forms.Textarea
    )
    code = CodeField()


@needs_unlocked_key
@settings_page("reward_proposals")
def proposal(
    request: StaffRequest, proposal_id: int, *, private_key: bytes
) -> HttpResponse:
    found = get_object_or_404(
        Proposal.objects.select_related("tier", "policy", "proposed_by", "decided_by"),
        pk=proposal_id,
    )
    return _proposal_page(request, found, private_key, DecideForm(request.POST or None))


def _proposal_page(
    request: StaffRequest,
    found: Proposal,
    private_key: bytes,
    form: DecideForm,
    withdraw_forms: dict[int, WithdrawForm] | None = None,
) -> HttpResponse:
    """The proposal page; ``withdraw_forms`` replaces offers' withdraw forms that
    failed, keeping what was typed."""
    status = 200 if not withdraw_forms else 400
    if request.method == "POST":
        if form.is_valid():
            try:
                services.decide(
                    proposal=found,
                    user=request.user,
                    private_key=private_key,
                    approve=form.cleaned_data["decision"] == "approve",
                    reason=form.cleaned_data["reason"],
                    code=form.cleaned_data["code"],
                )
            except RewardRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, gettext("Decision recorded."))
                return redirect("staffsettings:reward_proposal", proposal_id=found.pk)
        status = 400
    plain = selectors.read_proposal(
        proposal=found, user=request.user, private_key=private_key
    )
    line = None
    if found.currency:
        line = selectors.budget_line(
            found.policy, found.year or timezone.localdate().year
        )
    withdraw_forms = withdraw_forms or {}
    offers = [
        (
            offer,
            withdraw_forms.get(offer.pk) or WithdrawForm(prefix=f"offer-{offer.pk}"),
        )
        for offer in Offer.objects.filter(share__proposal=found).order_by("pk")
    ]
    context = {
        "proposal": found,
        "plain": plain,
        "form": form,
        "offers": offers,
        "budget": line,
        "own": found.proposed_by_id == request.user.pk,
        "settings_page": "reward_proposals",
    }
    return render(request, "staffsettings/reward_proposal.html", context, status=status)


@needs_unlocked_key
@settings_page("reward_proposals")
@require_POST
def withdraw(
    request: StaffRequest, offer_id: int, *, private_key: bytes
) -> HttpResponse:
    offer = get_object_or_404(
        Offer.objects.select_related("share__proposal"), pk=offer_id
    )
    found = offer.share.proposal
    form = WithdrawForm(request.POST, prefix=f"offer-{offer.pk}")
    if form.is_valid():
        try:
            services.withdraw_offer(
                offer=offer,
                user=request.user,
                private_key=private_key,
                reason=form.cleaned_data["reason"],
                code=form.cleaned_data["code"],
            )
        except RewardRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, gettext("Offer withdrawn."))
            return redirect("staffsettings:reward_proposal", proposal_id=found.pk)
    return _proposal_page(
        request, found, private_key, DecideForm(), withdraw_forms={offer.pk: form}
    )
