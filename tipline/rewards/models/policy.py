"""Reward policy, tiers, budgets, proposals, approvals, offers, claims and payouts
(issue 14, points 1 to 6).

Every amount is an integer in the currency's minor units (fen for CNY), never a
float: ``BigIntegerField``, with check constraints that keep it non-negative.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from tipline.rewards.currencies import to_major

__all__ = [
    "Budget",
    "Policy",
    "Proposal",
    "ProposalStatus",
    "Share",
    "ShareRule",
    "Tier",
    "money",
]


def money(amount: int, currency: str) -> str:
    """An amount in minor units for people: ``"10000.00 CNY"``."""
    return pgettext("amount and currency", "%(amount)s %(currency)s") % {
        "amount": to_major(amount, currency),
        "currency": currency,
    }


def localised(texts: dict[str, str]) -> str:
    """The text in the active language, English when it has none."""
    language = translation.get_language() or "en"
    return texts.get(language) or texts.get("en") or ""


class ShareRule(models.TextChoices):
    EARLIEST = "earliest", _("The earliest report that contributed")
    SPLIT = "split", _("Split in stated shares")


class Policy(models.Model):
    """The reward policy of one profile, keyed by the profile's slug (rewards sits
    beside profiles, not above it, so it names the profile rather than pointing
    to its row)."""

    profile_slug = models.SlugField(unique=True)
    share_rule = models.CharField(
        max_length=10, choices=ShareRule.choices, default=ShareRule.EARLIEST
    )
    # With SPLIT: percentages for the contributing reports, earliest first, e.g.
    # [60, 40]; they add up to 100.
    split_shares = models.JSONField(default=list)
    # Points per kind of outcome (e.g. {"substantiated": 10}); informational.
    award_schedule = models.JSONField(default=dict)
    # What a reporter who accepted is told to do to be paid ({"en": …,
    # "zh-hans": …}), shown with their claim code.
    payout_instructions = models.JSONField(default=dict)

    class Meta:
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return f"reward policy of {self.profile_slug}"


class Tier(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="tiers")
    slug = models.SlugField(max_length=40)
    position = models.PositiveIntegerField()
    name = models.JSONField()  # {"en": …, "zh-hans": …}
    criteria = models.JSONField()
    # Minor units; ``max_amount`` null means open-ended ("above 100,000").
    min_amount = models.BigIntegerField(default=0)
    max_amount = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    commendation_only = models.BooleanField(default=False)

    class Meta:
        ordering = ("policy", "position", "id")
        constraints = (
            models.UniqueConstraint(fields=["policy", "slug"], name="tier_slug_unique"),
            models.CheckConstraint(
                condition=Q(min_amount__gte=0), name="tier_min_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True)
                | Q(max_amount__gte=F("min_amount")),
                name="tier_max_not_below_min",
            ),
        )

    def __str__(self) -> str:
        return f"{self.policy.profile_slug}/{self.slug}"

    @property
    def local_name(self) -> str:
        return localised(self.name)

    @property
    def local_criteria(self) -> str:
        return localised(self.criteria)

    @property
    def range_display(self) -> str:
        if self.commendation_only:
            return gettext("Commendation, no money")
        low = money(self.min_amount, self.currency)
        if self.max_amount is None:
            return gettext("%(low)s or more") % {"low": low}
        high = money(self.max_amount, self.currency)
        return gettext("%(low)s to %(high)s") % {"low": low, "high": high}

    def admits(self, amount: int) -> bool:
        """Whether ``amount`` (minor units) lies within the tier."""
        if self.commendation_only:
            return amount == 0
        if amount < self.min_amount:
            return False
        return self.max_amount is None or amount <= self.max_amount


class Budget(models.Model):
    """What a policy may spend in one calendar year, in its tiers' currency."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField()

    class Meta:
        ordering = ("policy", "-year")
        constraints = (
            models.UniqueConstraint(
                fields=["policy", "year"], name="budget_year_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="budget_not_negative"
            ),
        )

    def __str__(self) -> str:
        return f"{self.policy.profile_slug} {self.year}: {self.amount} {self.currency}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Proposal(models.Model):
    """One person's proposal of a reward on a substantiated case, and the second
    person's decision on it. The justification and the decision's reason are
    encrypted with the case's data key, like notes."""

    # SET_NULL: when retention destroys the case, what was spent stays counted
    # against the year's budget.
    case = models.ForeignKey(
        "cases.Case", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="proposals"
    )
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, blank=True)
    justification_encrypted = models.BinaryField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason_encrypted = models.BinaryField(null=True)
    # The calendar year whose budget an approval spends.
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-proposed_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="proposal_not_negative"
            ),
            # One open or approved proposal per case; a rejected one may be
            # followed by another.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["open", "approved"]),
                name="proposal_one_live_per_case",
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=F("proposed_by")) | Q(decided_by__isnull=True),
                name="proposal_four_eyes",
            ),
        )
        indexes = (models.Index(fields=["policy", "status", "year"]),)

    def __str__(self) -> str:
        return f"proposal {self.pk} on case {self.case_id}"

    @property
    def amount_display(self) -> str:
        if self.tier.commendation_only:
            return gettext("Commendation, no money")
        return money(self.amount, self.currency)

    # Saved first, then encrypted: the context names the row, so a justification
    # copied onto another proposal or case does not open.
    def justification_context(self) -> bytes:
        return f"case:{self.case_id}:reward-proposal:{self.pk}:justification".encode()

    def reason_context(self) -> bytes:
        return f"case:{self.case_id}:reward-proposal:{self.pk}:reason".encode()


class Share(models.Model):
    """Which report gets what of an approved proposal (the policy's share rule
    over linked duplicates); an offer to each reporter follows from these."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="shares"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.BigIntegerField()

    class Meta:
        ordering = ("proposal", "id")
        constraints = (
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="share_not_negative"
            ),
        )

    def __str__(self) -> str:
        return f"share of proposal {self.proposal_id} for case {self.case_id}"
