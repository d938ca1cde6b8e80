"""Reads of the reward programme: budgets and what is left of them, proposals
for the approvers' page, a proposal's texts for someone who can read its case,
and the records, payouts and paid totals of the finance and records pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tipline import crypto
from tipline.accounts.models import User
from tipline.cases.keys import data_key_for
from tipline.cases.models import Case, CaseKey
from tipline.rewards.models import (
    Budget,
    Offer,
    OfferStatus,
    Policy,
    Proposal,
    Share,
    Tier,
)
from tipline.rewards.services import approved_total, policy_currency


@dataclass(frozen=True)
class BudgetLine:
    year: int
    currency: str
    budget: int
    approved: int

    @property
    def remaining(self) -> int:
        return self.budget - self.approved


def budget_line(policy: Policy, year: int) -> BudgetLine:
    """The year's budget, what it approved and what is left (0 without one)."""
    budget = Budget.objects.filter(policy=policy, year=year).first()
    return BudgetLine(
        year=year,
        currency=budget.currency if budget else policy_currency(policy),
        budget=budget.amount if budget else 0,
        approved=approved_total(policy=policy, year=year),
    )


def budget_lines(policy: Policy) -> list[BudgetLine]:
    """This year's line and every other year that has a budget, latest first."""
    this_year = timezone.localdate().year
    years = set(policy.budgets.values_list("year", flat=True)) | {this_year}
    return [budget_line(policy, year) for year in sorted(years, reverse=True)]


@dataclass(frozen=True)
class ProposalFilters:
    status: str = ""
    year: int | None = None
    tier: int | None = None


def proposals(filters: ProposalFilters | None = None) -> QuerySet[Proposal]:
    """Proposals for the approvers' page, newest first. ``year`` is the year
    proposed (approvals also record the budget year they spent)."""
    filters = filters or ProposalFilters()
    found = Proposal.objects.select_related(
        "tier", "policy", "proposed_by", "decided_by"
    )
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.year is not None:
        found = found.filter(proposed_at__year=filters.year)
    if filters.tier is not None:
        found = found.filter(tier_id=filters.tier)
    return found


def tiers_in_use() -> QuerySet[Tier]:
    return Tier.objects.select_related("policy").order_by("policy", "position")


def proposals_on(case: Case) -> QuerySet[Proposal]:
    return Proposal.objects.filter(case=case).select_related(
        "tier", "proposed_by", "decided_by"
    )


@dataclass(frozen=True)
class PlainProposal:
    proposal: Proposal
    justification: str
    reason: str


def read_proposal(
    *, proposal: Proposal, user: User, private_key: bytes
) -> PlainProposal | None:
    """The proposal's justification and reason for ``user``, or None if they
    cannot read its case (the texts are encrypted with the case's data key)."""
    case = proposal.case
    if case is None or not CaseKey.objects.filter(case=case, user=user).exists():
        return None
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    reason = ""
    if proposal.reason_encrypted is not None:
        reason = crypto.decrypt(
            data_key,
            bytes(proposal.reason_encrypted),
            context=proposal.reason_context(),
        ).decode("utf-8")
    justification = crypto.decrypt(
        data_key,
        bytes(proposal.justification_encrypted),
        context=proposal.justification_context(),
    ).decode("utf-8")
    return PlainProposal(proposal=proposal, justification=justification, reason=reason)


# --- Payouts and records (finance, approvers, administrators) -----------------


def awaiting_payout() -> QuerySet[Offer]:
    """Offers the reporter accepted and finance has not paid yet, oldest first."""
    return (
        Offer.objects.filter(status=OfferStatus.ACCEPTED)
        .select_related("share__proposal__tier")
        .order_by("answered_at", "pk")
    )


def latest_payouts(limit: int = 20) -> QuerySet[Offer]:
    """The most recent payments recorded, newest first."""
    return (
        Offer.objects.filter(status=OfferStatus.PAID)
        .select_related("share__proposal__tier", "paid_by")
        .order_by("-paid_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class RecordFilters:
    profile: str = ""
    year: int | None = None
    tier: int | None = None
    status: str = ""
    offer_status: str = ""


def reward_records(filters: RecordFilters | None = None) -> QuerySet[Proposal]:
    """Proposals with their decision and their offers, newest first, for the
    records page. ``year`` is the year proposed; ``offer_status`` keeps the
    proposals with at least one offer in that state."""
    filters = filters or RecordFilters()
    found = Proposal.objects.select_related(
        "tier", "policy", "proposed_by", "decided_by"
    ).prefetch_related(
        Prefetch("shares", queryset=Share.objects.select_related("offer__paid_by"))
    )
    if filters.profile:
        found = found.filter(policy__profile_slug=filters.profile)
    if filters.year is not None:
        found = found.filter(proposed_at__year=filters.year)
    if filters.tier is not None:
        found = found.filter(tier_id=filters.tier)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.offer_status:
        found = found.filter(
            pk__in=Share.objects.filter(offer__status=filters.offer_status).values(
                "proposal_id"
            )
        )
    return found


def profiles_with_policy() -> list[str]:
    return list(
        Policy.objects.order_by("profile_slug").values_list("profile_slug", flat=True)
    )


class Grouping(models.TextChoices):
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


@dataclass(frozen=True)
class PaidRow:
    """One line of the export: money paid, or commendations accepted (count
    only), in one period, profile and tier."""

    kind: str  # "payout" or "commendation"
    period: str
    profile: str
    tier: str  # the tier's English name
    currency: str
    count: int
    total: int | None  # minor units; None for commendations


def _period(day: date, grouping: str) -> str:
    return f"{day.year:04d}" if grouping == Grouping.YEAR else f"{day:%Y-%m}"


def paid_per_period(*, first: date, last: date, grouping: str) -> list[PaidRow]:
    """Rewards paid between ``first`` and ``last`` (dates paid, inclusive) per
    period, profile and tier, and commendations accepted in those days. Totals
    are sums of integers in minor units, never floats."""
    groups: dict[tuple[str, str, str, str, str], list[int]] = {}
    paid = (
        Offer.objects.filter(
            status=OfferStatus.PAID,
            paid_at__range=(first, last),
            share__proposal__tier__commendation_only=False,
        )
        .values_list(
            "paid_at",
            "share__proposal__policy__profile_slug",
            "share__proposal__tier__name",
            "currency",
            "amount",
        )
        .order_by("paid_at", "pk")
    )
    for day, profile, name, currency, amount in paid:
        # A paid offer has its date (the offer_paid_has_date constraint).
        key = (
            "payout",
            _period(cast(date, day), grouping),
            profile,
            name.get("en", ""),
            currency,
        )
        groups.setdefault(key, []).append(amount)
    for answered, profile, name in _commendations_accepted(first, last):
        day = timezone.localdate(cast(datetime, answered))  # filtered on it
        key = ("commendation", _period(day, grouping), profile, name.get("en", ""), "")
        groups.setdefault(key, []).append(0)
    return [
        PaidRow(
            kind=kind,
            period=period,
            profile=profile,
            tier=tier,
            currency=currency,
            count=len(amounts),
            total=sum(amounts) if kind == "payout" else None,
        )
        for (kind, period, profile, tier, currency), amounts in sorted(groups.items())
    ]


def _commendations_accepted(
    first: date, last: date
) -> list[tuple[datetime | None, str, Any]]:
    start = datetime.combine(first, time.min, tzinfo=timezone.get_current_timezone())
    end = datetime.combine(
        last + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )
    return list(
        Offer.objects.filter(
            status__in=[OfferStatus.ACCEPTED, OfferStatus.PAID],
            share__proposal__tier__commendation_only=True,
            answered_at__gte=start,
            answered_at__lt=end,
        )
        .values_list(
            "answered_at",
            "share__proposal__policy__profile_slug",
            "share__proposal__tier__name",
        )
        .order_by("answered_at", "pk")
    )


def tiers_with_proposals(policy: Policy) -> set[int]:
    """The tiers of ``policy`` that proposals name (and so cannot be removed)."""
    return set(
        Proposal.objects.filter(policy=policy)
        .values_list("tier_id", flat=True)
        .distinct()
    )
