"""The reward programme's public figures (issue 14, point 9): per profile and
calendar year, counts and sums only, with small counts withheld.

What is counted, each by the calendar year it happened in:

- proposals approved: proposals of a reward or a commendation that a second
  person approved (``Proposal.year``, the budget year the approval spent);
- rewards paid: offers of a money tier whose payment finance recorded
  (``Offer.paid_at``), and their sum per currency in minor units; the same
  again per tier (issue 15, point 6);
- commendations given: offers of a commendation-only tier that the reporter
  accepted (``Offer.answered_at``), whether or not finance later recorded
  handing it over. Declined, withdrawn and unanswered offers are not counted.

Protection of the people behind the figures:

- A count from 1 to K-1 (K = ``settings.STATISTICS_MIN_COUNT``) is withheld, and
  so is the sum that goes with it; 0 is shown as 0. The values returned here are
  already withheld, so no page can print a raw one by mistake.
- No total over years, profiles or currencies is returned: with one, a withheld
  cell could be worked out by subtraction. The three measures are not parts of
  one another (a proposal can be shared between several reports, and paid in a
  later year), so none is derived from the others either. The rewards paid
  per tier are parts of the year's rewards paid in their currency, so they go
  through ``tipline.lib.disclosure.suppress`` together: where one tier's count
  is withheld and the year's is shown, the next smallest is withheld too
  ("not shown"), and a tier's sum is withheld with its count.
- Only calendar years that have ended are returned. A figure of the running
  year would move with each payment, and someone comparing the page from one day
  to the next would learn the amount and the day of one person's reward.

Only rewards models are read, through the share and proposal to the policy (not
the case), so the figures outlive the cases that retention destroys.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from tipline.lib import disclosure
from tipline.rewards.models import (
    Offer,
    OfferStatus,
    Policy,
    Proposal,
    ProposalStatus,
    Tier,
    money,
)

__all__ = [
    "Figure",
    "Paid",
    "ProgrammeFigures",
    "RewardStatistics",
    "TierPaid",
    "YearFigures",
    "reward_statistics",
]

_PROFILE = "share__proposal__policy__profile_slug"
_COMMENDATION = "share__proposal__tier__commendation_only"


@dataclass(frozen=True)
class Figure:
    """A published count: ``value`` is None when it is withheld: 1 to K-1, or
    ``not_shown`` so that another withheld count cannot be worked out."""

    value: int | None
    not_shown: bool = False

    @property
    def withheld(self) -> bool:
        return self.value is None

    @classmethod
    def of(cls, cell: disclosure.Cell) -> Figure:
        return cls(cell.value, not_shown=cell.mark is disclosure.Mark.NOT_SHOWN)


@dataclass(frozen=True)
class Paid:
    """Rewards paid in one currency in one year, and their sum (minor units),
    which is withheld together with the count."""

    currency: str
    count: Figure
    total: int | None

    @property
    def total_display(self) -> str:
        return "" if self.total is None else money(self.total, self.currency)


@dataclass(frozen=True)
class TierPaid:
    """Rewards paid on one money tier in one year (``paid.total`` withheld
    with ``paid.count``)."""

    slug: str
    name: dict[str, str]
    paid: Paid


@dataclass(frozen=True)
class YearFigures:
    year: int
    proposals_approved: Figure
    rewards_paid: tuple[Paid, ...]  # one per currency of the programme
    commendations: Figure
    tiers: tuple[TierPaid, ...] = ()  # the programme's money tiers, in order


@dataclass(frozen=True)
class ProgrammeFigures:
    """One profile's reward programme: its currencies (none when it gives
    commendation only) and its years, latest first."""

    profile_slug: str
    currencies: tuple[str, ...]
    years: tuple[YearFigures, ...]


@dataclass(frozen=True)
class RewardStatistics:
    min_count: int
    last_year: int  # the latest year published (the last one that has ended)
    programmes: tuple[ProgrammeFigures, ...]


def reward_statistics() -> RewardStatistics:
    """Every programme's figures for the years that have ended, with small
    counts withheld. Seven queries, however many programmes and years there are."""
    last_year = timezone.localdate().year - 1
    found = _Found(
        last_year=last_year,
        min_count=settings.STATISTICS_MIN_COUNT,
        approved=_approved_by_year(last_year),
        paid=_paid_by_year(last_year),
        commended=_commended_by_year(last_year),
        by_tier=_paid_by_tier(last_year),
        tiers=_money_tiers(),
    )
    currencies = _currencies(found.paid)
    slugs = Policy.objects.order_by("profile_slug").values_list(
        "profile_slug", flat=True
    )
    return RewardStatistics(
        min_count=found.min_count,
        last_year=last_year,
        programmes=tuple(
            ProgrammeFigures(
                profile_slug=slug,
                currencies=currencies[slug],
                years=tuple(
                    found.year(slug, year, currencies[slug])
                    for year in found.years(slug)
                ),
            )
            for slug in slugs
        ),
    )


@dataclass(frozen=True)
class _Found:
    """The raw counts, by (profile, year) and for payments also by currency;
    only withheld figures leave this module."""

    last_year: int
    min_count: int
    approved: dict[tuple[str, int], int]
    paid: dict[tuple[str, int, str], tuple[int, int]]
    commended: dict[tuple[str, int], int]
    # (profile, year, tier id) -> (count, sum); each profile's money tiers
    by_tier: dict[tuple[str, int, int], tuple[int, int]]
    tiers: dict[str, list[Tier]]

    def years(self, slug: str) -> range:
        """From the last year published back to the programme's first year
        with anything to count (years between count 0); none without one."""
        found = [year for s, year in [*self.approved, *self.commended] if s == slug]
        found += [year for s, year, _currency in self.paid if s == slug]
        return range(self.last_year, min(found, default=self.last_year + 1) - 1, -1)

    def year(self, slug: str, year: int, currencies: tuple[str, ...]) -> YearFigures:
        paid = {c: self.paid.get((slug, year, c), (0, 0)) for c in currencies}
        tiers = self.tiers.get(slug, [])
        by_tier = {t.pk: self.by_tier.get((slug, year, t.pk), (0, 0)) for t in tiers}
        cells = self.withheld(paid, by_tier, tiers)
        return YearFigures(
            year=year,
            proposals_approved=self.figure(self.approved.get((slug, year), 0)),
            rewards_paid=tuple(
                self.paid_in(paid[c], c, cells[("paid", c)]) for c in currencies
            ),
            commendations=self.figure(self.commended.get((slug, year), 0)),
            tiers=tuple(
                TierPaid(
                    slug=t.slug,
                    name=t.name,
                    paid=self.paid_in(by_tier[t.pk], t.currency, cells[("tier", t.pk)]),
                )
                for t in tiers
                if t.currency in paid
            ),
        )

    def withheld(
        self,
        paid: dict[str, tuple[int, int]],
        by_tier: dict[int, tuple[int, int]],
        tiers: list[Tier],
    ) -> dict[tuple[str, object], disclosure.Cell]:
        """Rewards paid per currency and per tier, as published: each
        currency's count is the sum of its tiers' counts."""
        counts: dict[tuple[str, object], int] = {
            ("paid", c): found[0] for c, found in paid.items()
        }
        counts |= {("tier", pk): found[0] for pk, found in by_tier.items()}
        sums = [
            disclosure.Sum(
                ("paid", c), tuple(("tier", t.pk) for t in tiers if t.currency == c)
            )
            for c in paid
        ]
        return disclosure.suppress(counts, sums, min_count=self.min_count)

    def figure(self, count: int) -> Figure:
        return Figure(None if 0 < count < self.min_count else count)

    def paid_in(
        self, found: tuple[int, int], currency: str, cell: disclosure.Cell
    ) -> Paid:
        _count, total = found
        figure = Figure.of(cell)
        return Paid(
            currency=currency, count=figure, total=None if figure.withheld else total
        )


def _approved_by_year(last_year: int) -> dict[tuple[str, int], int]:
    rows = (
        Proposal.objects.filter(status=ProposalStatus.APPROVED, year__lte=last_year)
        .values("policy__profile_slug", "year")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["policy__profile_slug"], row["year"]): row["n"] for row in rows}


def _paid_by_year(last_year: int) -> dict[tuple[str, int, str], tuple[int, int]]:
    rows = (
        Offer.objects.filter(status=OfferStatus.PAID, **{_COMMENDATION: False})
        .annotate(y=ExtractYear("paid_at"))
        .filter(y__lte=last_year)
        .values(_PROFILE, "y", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    return {
        (row[_PROFILE], row["y"], row["currency"]): (row["n"], int(row["total"]))
        for row in rows
    }


def _paid_by_tier(last_year: int) -> dict[tuple[str, int, int], tuple[int, int]]:
    rows = (
        Offer.objects.filter(status=OfferStatus.PAID, **{_COMMENDATION: False})
        .annotate(y=ExtractYear("paid_at"))
        .filter(y__lte=last_year)
        .values(_PROFILE, "y", "share__proposal__tier")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    return {
        (row[_PROFILE], row["y"], row["share__proposal__tier"]): (
            row["n"],
            int(row["total"]),
        )
        for row in rows
    }


def _money_tiers() -> dict[str, list[Tier]]:
    """Each programme's money tiers, in their order."""
    found: dict[str, list[Tier]] = defaultdict(list)
    for tier in Tier.objects.filter(commendation_only=False).select_related("policy"):
        found[tier.policy.profile_slug].append(tier)
    return found


def _commended_by_year(last_year: int) -> dict[tuple[str, int], int]:
    rows = (
        Offer.objects.filter(
            status__in=[OfferStatus.ACCEPTED, OfferStatus.PAID],
            answered_at__isnull=False,
            **{_COMMENDATION: True},
        )
        .annotate(y=ExtractYear("answered_at"))
        .filter(y__lte=last_year)
        .values(_PROFILE, "y")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row[_PROFILE], row["y"]): row["n"] for row in rows}


def _currencies(
    paid: dict[tuple[str, int, str], tuple[int, int]],
) -> defaultdict[str, tuple[str, ...]]:
    """Each programme's money currencies: those of its money tiers now, and
    any it has paid in. A programme with none gives commendation only."""
    found: defaultdict[str, set[str]] = defaultdict(set)
    for slug, currency in Tier.objects.filter(commendation_only=False).values_list(
        "policy__profile_slug", "currency"
    ):
        found[slug].add(currency)
    for slug, _year, currency in paid:
        found[slug].add(currency)
    return defaultdict(
        tuple, {slug: tuple(sorted(c for c in cs if c)) for slug, cs in found.items()}
    )
