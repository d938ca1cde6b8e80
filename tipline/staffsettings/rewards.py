"""Settings page: rewards, each profile's tiers (edited, added and removed) and
yearly budgets (issue 14, point 1). Amounts are typed in major units
("10000.00") and kept as integers in minor units; every change is audited by
the rewards services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tipline.accounts.decorators import StaffRequest
from tipline.profiles.models import Profile
from tipline.rewards import currencies, selectors, services
from tipline.rewards.models import Policy, Tier
from tipline.rewards.policies import PolicyInvalid, TierData
from tipline.rewards.services import RewardRefused
from tipline.staffsettings.pages import settings_page


def parse_amount(form: forms.Form, name: str, currency: str) -> int | None:
    """The field ``name`` in minor units, or None (with the form's error set)."""
    text = (form.cleaned_data.get(name) or "").strip()
    try:
        return currencies.to_minor(text, currency)
    except currencies.BadAmount:
        places = currencies.minor_units(currency)
        form.add_error(
            name,
            gettext(
                "Enter an amount in %(currency)s such as %(example)s, with at "
                "most %(places)d decimal places and no sign or separators."
            )
            % {
                "currency": currency,
                "example": currencies.to_major(123456 * 10**places // 100, currency),
                "places": places,
            },
        )
        return None


class TierFields(forms.Form):
    """A tier's texts and amounts, as edited and as added."""

    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    name_zh = forms.CharField(label=_("Name in Chinese"), max_length=200)
    criteria_en = forms.CharField(
        label=_("Criteria in English"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    criteria_zh = forms.CharField(
        label=_("Criteria in Chinese"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    min_amount = forms.CharField(label=_("Minimum"), max_length=30, required=False)
    max_amount = forms.CharField(
        label=_("Maximum"),
        max_length=30,
        required=False,
        help_text=_("Leave empty for no upper limit."),
    )


class TierForm(TierFields):
    def __init__(self, *args: Any, tier: Tier, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"tier-{tier.pk}")
        super().__init__(*args, **kwargs)
        self.tier = tier
        if tier.commendation_only:
            del self.fields["min_amount"], self.fields["max_amount"]
        else:
            for name in ("min_amount", "max_amount"):
                self.fields[name].label = f"{self.fields[name].label} ({tier.currency})"

    def amounts(self) -> tuple[int, int | None] | None:
        """Minimum and maximum in minor units, or None with the errors set."""
        if self.tier.commendation_only:
            return 0, None
        low = parse_amount(self, "min_amount", self.tier.currency)
        high = None
        if (self.cleaned_data.get("max_amount") or "").strip():
            high = parse_amount(self, "max_amount", self.tier.currency)
            if high is None:
                return None
        if low is None:
            return None
        if high is not None and high < low:
            self.add_error("max_amount", gettext("The maximum is below the minimum."))
            return None
        return low, high


def tier_form(tier: Tier, data: Any = None) -> TierForm:
    initial = {
        "name_en": tier.name.get("en", ""),
        "name_zh": tier.name.get("zh-hans", ""),
        "criteria_en": tier.criteria.get("en", ""),
        "criteria_zh": tier.criteria.get("zh-hans", ""),
    }
    if not tier.commendation_only:
        initial["min_amount"] = currencies.to_major(tier.min_amount, tier.currency)
        if tier.max_amount is not None:
            initial["max_amount"] = currencies.to_major(tier.max_amount, tier.currency)
    return TierForm(data, tier=tier, initial=initial)


class AddTierForm(TierFields):
    field_order = (
        "slug",
        "name_en",
        "name_zh",
        "criteria_en",
        "criteria_zh",
        "commendation_only",
        "currency",
        "min_amount",
        "max_amount",
    )
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=services.MAX_SLUG_CHARS,
        help_text=_("Lower-case letters, digits and hyphens, e.g. grade-5."),
    )
    commendation_only = forms.BooleanField(
        label=_("Commendation only, no money"), required=False
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("ISO code, e.g. CNY. One currency per profile."),
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"add-tier-{policy.pk}")
        kwargs.setdefault("initial", {"currency": services.policy_currency(policy)})
        super().__init__(*args, **kwargs)
        self.policy = policy

    def clean_slug(self) -> str:
        # SlugField admits upper case and underscores; tier slugs do not.
        slug = str(self.cleaned_data["slug"])
        if slug != slug.lower() or "_" in slug:
            raise forms.ValidationError(
                gettext("Use only lower-case letters, digits and hyphens.")
            )
        return slug

    def clean_currency(self) -> str:
        code = str(self.cleaned_data["currency"]).strip().upper()
        if self.cleaned_data.get("commendation_only"):
            return ""
        if not currencies.is_known(code):
            raise forms.ValidationError(
                gettext("Enter a currency code such as CNY, or tick commendation only.")
            )
        return code

    def tier(self) -> TierData | None:
        """The new tier, or None with the errors set."""
        data = self.cleaned_data
        low, high = 0, None
        if not data["commendation_only"]:
            currency = data.get("currency")
            if not currency:
                return None
            amounts = self._amounts(currency)
            if amounts is None:
                return None
            low, high = amounts
        return TierData(
            slug=data["slug"],
            position=0,  # the service puts it last
            name={"en": data["name_en"], "zh-hans": data["name_zh"]},
            criteria={"en": data["criteria_en"], "zh-hans": data["criteria_zh"]},
            min_amount=low,
            max_amount=high,
            currency=data.get("currency") or "",
            commendation_only=data["commendation_only"],
        )

    def _amounts(self, currency: str) -> tuple[int, int | None] | None:
        low = parse_amount(self, "min_amount", currency)
        high = None
        if (self.cleaned_data.get("max_amount") or "").strip():
            high = parse_amount(self, "max_amount", currency)
            if high is None:
                return None
        if low is None:
            return None
        if high is not None and high < low:
            self.add_error("max_amount", gettext("The maximum is below the minimum."))
            return None
        return low, high


class BudgetForm(forms.Form):
    # A text field with a numeric keyboard: a number input is sized by its
    # browser and came out a few characters wide at phone width (issue 14).
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    amount = forms.CharField(label=_("Budget"), max_length=30)

    def __init__(self, *args: Any, policy: Policy, currency: str, **kwargs: Any):
        kwargs.setdefault("prefix", f"budget-{policy.pk}")
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"{self.fields['amount'].label} ({currency})"


class InstructionsForm(forms.Form):
    en = forms.CharField(
        label=_("Payout instructions in English"),
        max_length=services.MAX_INSTRUCTIONS_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    zh_hans = forms.CharField(
        label=_("Payout instructions in Chinese"),
        max_length=services.MAX_INSTRUCTIONS_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "zh-hans"}),
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any):
        kwargs.setdefault("prefix", f"instructions-{policy.pk}")
        texts = policy.payout_instructions
        kwargs.setdefault(
            "initial", {"en": texts.get("en", ""), "zh_hans": texts.get("zh-hans", "")}
        )
        super().__init__(*args, **kwargs)


@dataclass
class TierBlock:
    tier: Tier
    form: forms.Form
    in_use: bool
    remove_error: str = ""


@dataclass
class PolicyBlock:
    title: str
    policy: Policy
    currency: str
    tiers: list[TierBlock]
    budgets: list[selectors.BudgetLine]
    budget_form: forms.Form | None
    add_form: forms.Form
    instructions_form: forms.Form


def _blocks(
    bound: dict[str, forms.Form] | None = None, refused: dict[int, str] | None = None
) -> list[PolicyBlock]:
    bound, refused = bound or {}, refused or {}
    blocks = []
    for profile in Profile.objects.order_by("slug"):
        policy = services.policy_for(profile.slug)
        currency = services.policy_currency(policy)
        in_use = selectors.tiers_with_proposals(policy)
        tiers = [
            TierBlock(
                tier=tier,
                form=bound.get(f"tier-{tier.pk}") or tier_form(tier),
                in_use=tier.pk in in_use,
                remove_error=refused.get(tier.pk, ""),
            )
            for tier in policy.tiers.all()
        ]
        budget_form: forms.Form | None = None
        if currency:
            budget_form = bound.get(f"budget-{policy.pk}") or BudgetForm(
                policy=policy, currency=currency
            )
        blocks.append(
            PolicyBlock(
                title=profile.title,
                policy=policy,
                currency=currency,
                tiers=tiers,
                budgets=selectors.budget_lines(policy) if currency else [],
                budget_form=budget_form,
                add_form=bound.get(f"add-tier-{policy.pk}")
                or AddTierForm(policy=policy),
                instructions_form=bound.get(f"instructions-{policy.pk}")
                or InstructionsForm(policy=policy),
            )
        )
    return blocks


def _page(
    request: StaffRequest,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
    refused: dict[int, str] | None = None,
) -> HttpResponse:
    context = {"blocks": _blocks(bound, refused), "settings_page": "rewards"}
    return render(request, "staffsettings/rewards.html", context, status=status)


@settings_page("rewards")
def rewards_settings(request: StaffRequest) -> HttpResponse:
    return _page(request)


@require_POST
@settings_page("rewards")
def edit_tier(request: StaffRequest, tier_id: int) -> HttpResponse:
    tier = get_object_or_404(Tier.objects.select_related("policy"), pk=tier_id)
    form = tier_form(tier, request.POST)
    amounts = form.amounts() if form.is_valid() else None
    if amounts is None:
        return _page(request, {form.prefix or "": form}, status=400)
    data = form.cleaned_data
    try:
        services.update_tier(
            user=request.user,
            tier=tier,
            name={"en": data["name_en"], "zh-hans": data["name_zh"]},
            criteria={"en": data["criteria_en"], "zh-hans": data["criteria_zh"]},
            min_amount=amounts[0],
            max_amount=amounts[1],
        )
    except PolicyInvalid as exc:
        form.add_error(None, str(exc))
        return _page(request, {form.prefix or "": form}, status=400)
    messages.success(request, gettext("Tier saved."))
    return redirect("staffsettings:rewards")


@require_POST
@settings_page("rewards")
def set_budget(request: StaffRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=policy_id)
    currency = services.policy_currency(policy)
    if not currency:
        raise Http404
    form = BudgetForm(request.POST, policy=policy, currency=currency)
    amount = parse_amount(form, "amount", currency) if form.is_valid() else None
    if amount is None:
        return _page(request, {form.prefix or "": form}, status=400)
    try:
        services.set_budget(
            user=request.user,
            policy=policy,
            year=form.cleaned_data["year"],
            amount=amount,
        )
    except PolicyInvalid as exc:
        form.add_error("amount", str(exc))
        return _page(request, {form.prefix or "": form}, status=400)
    messages.success(request, gettext("Budget saved."))
    return redirect("staffsettings:rewards")


@require_POST
@settings_page("rewards")
def add_tier(request: StaffRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=policy_id)
    form = AddTierForm(request.POST, policy=policy)
    tier = form.tier() if form.is_valid() else None
    if tier is None:
        return _page(request, {form.prefix or "": form}, status=400)
    try:
        services.add_tier(user=request.user, policy=policy, tier=tier)
    except RewardRefused as refused:
        form.add_error(
            "slug" if refused.cause.startswith("slug") else None, refused.message
        )
        return _page(request, {form.prefix or "": form}, status=400)
    messages.success(request, gettext("Tier added."))
    return redirect("staffsettings:rewards")


@require_POST
@settings_page("rewards")
def remove_tier(request: StaffRequest, tier_id: int) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=tier_id)
    try:
        services.remove_tier(user=request.user, tier=tier)
    except RewardRefused as refused:
        return _page(request, status=400, refused={tier.pk: refused.message})
    messages.success(request, gettext("Tier removed."))
    return redirect("staffsettings:rewards")


@require_POST
@settings_page("rewards")
def set_instructions(request: StaffRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=policy_id)
    form = InstructionsForm(request.POST, policy=policy)
    if form.is_valid():
        try:
            services.set_payout_instructions(
                user=request.user,
                policy=policy,
                instructions={
                    "en": form.cleaned_data["en"],
                    "zh-hans": form.cleaned_data["zh_hans"],
                },
            )
        except PolicyInvalid as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Payout instructions saved."))
            return redirect("staffsettings:rewards")
    return _page(request, {form.prefix or "": form}, status=400)
