"""Reads of the reward programme: budgets and what is left of them, proposals
for the approvers' page, and a proposal's texts for someone who can read its
case."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tipline import crypto
from tipline.accounts.models import User
from tipline.cases.keys import data_key_for
from tipline.cases.models import Case, CaseKey
from tipline.rewards.models import Budget, Policy, Proposal, Tier
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
