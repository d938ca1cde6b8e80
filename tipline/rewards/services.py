"""Changes to the reward programme: policies, tiers and budgets
(administrators), proposals (case staff), the four-eyes decision (rewards
approvers), and the audit entries of exports and refused payout forms.

A refused attempt changes nothing and is still on the record: the refusal is
audited in a transaction of its own, after the attempt's was rolled back.
"""

from __future__ import annotations

import re
from dataclasses import replace

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tipline import crypto
from tipline.accounts import throttle, two_factor
from tipline.accounts.models import Role, User
from tipline.audit import services as audit
from tipline.cases.keys import data_key_for
from tipline.cases.models import Case, CaseKey, Outcome, Status
from tipline.lib.pagecache import forget_pages
from tipline.rewards import currencies

# Offers, claims and payouts live in claims.py; callers reach them here.
from tipline.rewards.claims import accept_offer as accept_offer
from tipline.rewards.claims import create_offers
from tipline.rewards.claims import decline_offer as decline_offer
from tipline.rewards.claims import offer_for as offer_for
from tipline.rewards.claims import record_payout as record_payout
from tipline.rewards.errors import RewardRefused as RewardRefused
from tipline.rewards.errors import audited_refusal
from tipline.rewards.models import (
    Budget,
    Offer,
    OfferStatus,
    Policy,
    Proposal,
    ProposalStatus,
    Share,
    ShareRule,
    Tier,
)
from tipline.rewards.policies import (
    PolicyInvalid,
    TierData,
    check_tier,
    read_policy_file,
)

MAX_JUSTIFICATION_CHARS = 10_000
# Outcomes of linked reports that count as having contributed to a reward.
CONTRIBUTED = (Outcome.SUBSTANTIATED, Outcome.DUPLICATE)
# A tier's short name, as Tier.slug (a SlugField of 40) stores it.
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG_CHARS = 40


# --- Policies and budgets ----------------------------------------------------


def policy_for(profile_slug: str) -> Policy:
    """The reward policy of a profile, seeded from its shipped data file the first
    time it is asked for (and only then: later edits are kept)."""
    policy = Policy.objects.filter(profile_slug=profile_slug).first()
    if policy is not None:
        return policy
    data = read_policy_file(profile_slug)
    try:
        with transaction.atomic():
            policy = Policy.objects.create(
                profile_slug=profile_slug,
                share_rule=data.share_rule,
                split_shares=data.split_shares,
                award_schedule=data.award_schedule,
                payout_instructions=data.payout_instructions,
            )
            Tier.objects.bulk_create(
                Tier(policy=policy, **tier.__dict__) for tier in data.tiers
            )
            audit.record(
                action="rewards.policy_seeded",
                actor=None,
                target=f"policy:{profile_slug}",
                detail={"tiers": len(data.tiers)},
            )
    except IntegrityError:
        # Another process seeded it at the same moment: theirs stands.
        return Policy.objects.get(profile_slug=profile_slug)
    return policy


def policy_currency(policy: Policy) -> str:
    """The currency of the policy's money tiers ("" when it has none)."""
    currency = (
        policy.tiers.filter(commendation_only=False)
        .values_list("currency", flat=True)
        .first()
    )
    return currency or ""


@transaction.atomic
def update_tier(
    *,
    user: User,
    tier: Tier,
    name: dict[str, str],
    criteria: dict[str, str],
    min_amount: int,
    max_amount: int | None,
) -> Tier:
    """Change a tier's texts and amounts (audited, from and to)."""
    locked = Tier.objects.select_for_update().get(pk=tier.pk)
    checked = check_tier(
        replace(
            _tier_data(locked),
            name=name,
            criteria=criteria,
            min_amount=min_amount,
            max_amount=max_amount,
        )
    )
    before = _tier_data(locked)
    for name_, value in checked.__dict__.items():
        setattr(locked, name_, value)
    locked.save()
    forget_pages()  # /rewards/ shows the tiers (tipline.lib.pagecache)
    changed = {
        key: {"from": before.__dict__[key], "to": value}
        for key, value in checked.__dict__.items()
        if before.__dict__[key] != value
    }
    audit.record(
        action="settings.reward_tier",
        actor=user,
        target=f"tier:{locked.pk}",
        detail={"policy": locked.policy.profile_slug, "changed": changed},
    )
    return locked


MAX_INSTRUCTIONS_CHARS = 2_000


def set_payout_instructions(
    *, user: User, policy: Policy, instructions: dict[str, str]
) -> Policy:
    """What a reporter who accepted is told to do to be paid, in both languages
    (audited, from and to)."""
    checked = {lang: instructions.get(lang, "").strip() for lang in ("en", "zh-hans")}
    if not all(checked.values()):
        raise PolicyInvalid(_("Give the instructions in both languages."))
    if any(len(text) > MAX_INSTRUCTIONS_CHARS for text in checked.values()):
        raise PolicyInvalid(
            _("The instructions are too long: at most 2000 characters.")
        )
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        before = locked.payout_instructions
        locked.payout_instructions = checked
        locked.save(update_fields=["payout_instructions"])
        audit.record(
            action="settings.reward_instructions",
            actor=user,
            target=f"policy:{locked.profile_slug}",
            detail={"from": before, "to": checked},
        )
    return locked


def _tier_data(tier: Tier) -> TierData:
    return TierData(
        slug=tier.slug,
        position=tier.position,
        name=dict(tier.name),
        criteria=dict(tier.criteria),
        min_amount=tier.min_amount,
        max_amount=tier.max_amount,
        currency=tier.currency,
        commendation_only=tier.commendation_only,
    )


@transaction.atomic
def set_budget(*, user: User, policy: Policy, year: int, amount: int) -> Budget:
    """The budget of ``policy`` for calendar ``year`` (minor units), audited. It
    may not go below what that year has already approved."""
    currency = policy_currency(policy)
    if not currency:
        raise PolicyInvalid(_("This policy pays no money, so it has no budget."))
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise PolicyInvalid(_("A budget is a whole amount, not negative."))
    budget = Budget.objects.select_for_update().filter(policy=policy, year=year).first()
    spent = approved_total(policy=policy, year=year)
    if amount < spent:
        raise PolicyInvalid(
            _("%(year)s has already approved %(spent)s; the budget cannot be less.")
            % {"year": year, "spent": currencies.to_major(spent, currency)}
        )
    before = budget.amount if budget else None
    if budget is None:
        budget = Budget(policy=policy, year=year, currency=currency)
    budget.amount = amount
    budget.save()
    audit.record(
        action="settings.reward_budget",
        actor=user,
        target=f"policy:{policy.profile_slug}",
        detail={"year": year, "from": before, "to": amount, "currency": currency},
    )
    return budget


def approved_total(*, policy: Policy, year: int) -> int:
    """What the year's approvals spend: approved proposals, less the shares their
    reporters declined or that were withdrawn (those go back to the budget)."""
    total = Proposal.objects.filter(
        policy=policy, year=year, status=ProposalStatus.APPROVED
    ).aggregate(total=Sum("amount"))["total"]
    released = Offer.objects.filter(
        share__proposal__policy=policy,
        share__proposal__year=year,
        share__proposal__status=ProposalStatus.APPROVED,
        status__in=(OfferStatus.DECLINED, OfferStatus.WITHDRAWN),
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0) - int(released or 0)


MAX_TIERS = 20


def add_tier(*, user: User, policy: Policy, tier: TierData) -> Tier:
    """Add ``tier`` to ``policy`` after its last tier (audited). It must pass
    check_tier, have a slug of its own and pay in the policy's one currency, so
    one budget still fits all. Refusals store nothing and are audited."""
    with audited_refusal(
        action="rewards.tier_added", actor=user, target=f"policy:{policy.profile_slug}"
    ):
        return _add_tier(user=user, policy=policy, tier=tier)


@transaction.atomic
def _add_tier(*, user: User, policy: Policy, tier: TierData) -> Tier:
    # The policy row is locked so two additions at once get distinct positions.
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    try:
        checked = check_tier(tier)
    except PolicyInvalid as exc:
        raise RewardRefused(str(exc), "invalid_tier") from None
    if len(checked.slug) > MAX_SLUG_CHARS or not _SLUG.fullmatch(checked.slug):
        raise RewardRefused(
            _("A short name uses only lower-case letters, digits and hyphens."),
            "slug",
        )
    tiers = policy.tiers.all()
    if tiers.filter(slug=checked.slug).exists():
        raise RewardRefused(
            _("This policy already has a tier with that short name."), "slug_taken"
        )
    if tiers.count() >= MAX_TIERS:
        raise RewardRefused(
            _("A policy has at most %(count)d tiers.") % {"count": MAX_TIERS},
            "too_many",
        )
    currency = policy_currency(policy)
    if not checked.commendation_only and currency and checked.currency != currency:
        raise RewardRefused(
            _("This policy pays in %(currency)s: one currency, so one budget fits all.")
            % {"currency": currency},
            "currency",
        )
    fields = {**checked.__dict__, "position": tiers.count() + 1}
    added = Tier.objects.create(policy=policy, **fields)
    forget_pages()
    audit.record(
        action="rewards.tier_added",
        actor=user,
        target=f"tier:{added.pk}",
        detail={"policy": policy.profile_slug, "tier": fields},
    )
    return added


def remove_tier(*, user: User, tier: Tier) -> None:
    """Remove a tier no proposal uses (audited); the tiers after it move up,
    so positions stay 1, 2, 3... A tier in use is kept: its proposals, offers
    and payouts name it. The refusal is audited."""
    with audited_refusal(
        action="rewards.tier_removed", actor=user, target=f"tier:{tier.pk}"
    ):
        _remove_tier(user=user, tier=tier)


@transaction.atomic
def _remove_tier(*, user: User, tier: Tier) -> None:
    policy = Policy.objects.select_for_update().get(pk=tier.policy_id)
    locked = Tier.objects.filter(pk=tier.pk, policy=policy).first()
    if locked is None:
        raise RewardRefused(_("This tier has already been removed."), "gone")
    if Proposal.objects.filter(tier=locked).exists():
        raise RewardRefused(
            _(
                "Proposals use this tier, so it cannot be removed. Edit its "
                "texts instead."
            ),
            "in_use",
        )
    before = _tier_data(locked)
    locked.delete()
    forget_pages()
    for position, remaining in enumerate(policy.tiers.order_by("position", "pk"), 1):
        if remaining.position != position:
            remaining.position = position
            remaining.save(update_fields=["position"])
    audit.record(
        action="rewards.tier_removed",
        actor=user,
        target=f"tier:{tier.pk}",
        detail={"policy": policy.profile_slug, "tier": before.__dict__},
    )


def refuse_payout(*, user: User, fields: list[str]) -> None:
    """Put on the record a payout form refused before it reached
    record_payout (a missing field, a date in the future): every attempt at a
    payment is audited, not only those with a claim code."""
    with transaction.atomic():
        audit.record(
            action="reward.payout",
            actor=user,
            target="claim",
            detail={"refused": "form", "fields": sorted(fields)},
        )


def record_export(
    *, user: User, first: str, last: str, grouping: str, rows: int
) -> None:
    """Audit an export of rewards paid (months ``first`` to ``last``, YYYY-MM)."""
    with transaction.atomic():
        audit.record(
            action="reward.exported",
            actor=user,
            target="rewards",
            detail={"from": first, "to": last, "by": grouping, "rows": rows},
        )


# --- Proposals -----------------------------------------------------------------


def propose(
    *,
    case: Case,
    user: User,
    private_key: bytes,
    tier: Tier,
    amount: int,
    justification: str,
) -> Proposal:
    """Propose a reward on a case closed as substantiated, by someone who can
    read it; the justification is encrypted with the case's data key. Refusals
    (RewardRefused) store nothing and are audited."""
    with audited_refusal(action="reward.propose", actor=user, target=f"case:{case.pk}"):
        return _propose(
            case=case,
            user=user,
            private_key=private_key,
            tier=tier,
            amount=amount,
            justification=justification,
        )


@transaction.atomic
def _propose(
    *,
    case: Case,
    user: User,
    private_key: bytes,
    tier: Tier,
    amount: int,
    justification: str,
) -> Proposal:
    # The case row is locked so two proposals sent at once are decided in turn.
    case = (
        Case.objects.select_for_update()
        .select_related("report__category")
        .get(pk=case.pk)
    )
    if not CaseKey.objects.filter(case=case, user=user).exists():
        raise RewardRefused(_("You cannot read this case."), "no_access")
    if case.status != Status.CLOSED or case.outcome != Outcome.SUBSTANTIATED:
        raise RewardRefused(
            _("Only a case closed as substantiated can lead to a reward."),
            "not_substantiated",
        )
    policy = policy_for(case.report.category.profile.slug)
    if tier.policy_id != policy.pk:
        raise RewardRefused(_("Choose a tier of this case's policy."), "wrong_policy")
    if not tier.admits(amount):
        raise RewardRefused(_("The amount is outside the tier."), "outside_tier")
    if not justification.strip() or len(justification) > MAX_JUSTIFICATION_CHARS:
        raise RewardRefused(_("Say why the report deserves it."), "justification")
    live = Proposal.objects.filter(
        case=case, status__in=[ProposalStatus.OPEN, ProposalStatus.APPROVED]
    ).first()
    if live is not None:
        raise RewardRefused(
            _("This case already has a reward proposal waiting or approved."),
            "second_proposal",
        )
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    proposal = Proposal.objects.create(
        case=case,
        policy=policy,
        tier=tier,
        amount=amount,
        currency=tier.currency,
        justification_encrypted=b"",
        proposed_by=user,
        proposed_at=timezone.now(),
    )
    proposal.justification_encrypted = crypto.encrypt(
        data_key,
        justification.encode("utf-8"),
        context=proposal.justification_context(),
    )
    proposal.save(update_fields=["justification_encrypted"])
    shares = share_out(policy=policy, case=case, amount=amount)
    Share.objects.bulk_create(
        Share(proposal=proposal, case_id=case_id, amount=part)
        for case_id, part in shares
    )
    audit.record(
        action="reward.propose",
        actor=user,
        target=f"case:{case.pk}",
        detail={
            "proposal": proposal.pk,
            "tier": tier.slug,
            "amount": amount,
            "currency": tier.currency,
            "shares": [[case_id, part] for case_id, part in shares],
        },
    )
    return proposal


def share_out(*, policy: Policy, case: Case, amount: int) -> list[tuple[int, int]]:
    """Which cases get what of ``amount``: the policy's share rule over the
    linked reports that contributed (closed as substantiated or as duplicates),
    earliest first. A case in no group keeps it all."""
    if case.group_id is None:
        return [(case.pk, amount)]
    contributed = list(
        Case.objects.filter(group_id=case.group_id, outcome__in=CONTRIBUTED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    if case.pk not in contributed:
        contributed.append(case.pk)
    if policy.share_rule != ShareRule.SPLIT:
        return [(contributed[0], amount)]
    percentages = list(policy.split_shares)[: len(contributed)]
    scale = sum(percentages)
    parts = [amount * share // scale for share in percentages]
    # What integer division leaves goes to the earliest report.
    parts[0] += amount - sum(parts)
    return list(zip(contributed, parts, strict=False))


# --- Four-eyes decision ----------------------------------------------------------


def decide(
    *,
    proposal: Proposal,
    user: User,
    private_key: bytes,
    approve: bool,
    reason: str,
    code: str,
) -> Proposal:
    """Approve or reject a proposal: a rewards approver other than the proposer,
    who can read the case, with a fresh second-factor code. An approval must fit
    the tier and what is left of the year's budget; the budget row is locked, so
    two approvers at once cannot both spend its last part. Refusals change
    nothing and are audited; wrong codes count towards the sign-in code lock."""
    with audited_refusal(
        action="reward.decide", actor=user, target=f"proposal:{proposal.pk}"
    ):
        if user.role != Role.REWARDS_APPROVER:
            raise RewardRefused(
                _("Only a rewards approver can decide."), "not_approver"
            )
        _check_code(user, code)
        return _decide(
            proposal=proposal,
            user=user,
            private_key=private_key,
            approve=approve,
            reason=reason,
        )


def _check_code(user: User, code: str) -> None:
    if throttle.codes_locked_until(user) is not None:
        raise RewardRefused(
            _("Too many wrong codes. Wait a few minutes and try again."), "codes_locked"
        )
    if not two_factor.verify(user, code):
        throttle.record_code_failure(user)
        raise RewardRefused(
            _("That code is wrong or was already used. Enter a new one."), "wrong_code"
        )


@transaction.atomic
def _decide(
    *, proposal: Proposal, user: User, private_key: bytes, approve: bool, reason: str
) -> Proposal:
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("tier", "policy")
        .get(pk=proposal.pk)
    )
    case = _check_decider(proposal, user, reason)
    now = timezone.now()
    if approve:
        _check_spend(proposal, year=timezone.localdate(now).year)
        proposal.year = timezone.localdate(now).year
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    proposal.decided_by, proposal.decided_at = user, now
    proposal.reason_encrypted = crypto.encrypt(
        data_key, reason.encode("utf-8"), context=proposal.reason_context()
    )
    proposal.save()
    if approve:
        create_offers(proposal=proposal)
    audit.record(
        action="reward.approve" if approve else "reward.reject",
        actor=user,
        target=f"proposal:{proposal.pk}",
        detail={
            "case": proposal.case_id,
            "amount": proposal.amount,
            "currency": proposal.currency,
            "year": proposal.year,
        },
    )
    return proposal


def _check_decider(proposal: Proposal, user: User, reason: str) -> Case:
    """The proposal's case, if ``user`` may decide on it now."""
    if proposal.proposed_by_id == user.pk:
        raise RewardRefused(
            _("You proposed this reward, so someone else must decide on it."),
            "own_proposal",
        )
    if proposal.status != ProposalStatus.OPEN:
        raise RewardRefused(
            _("This proposal has already been decided."), "already_decided"
        )
    if (
        proposal.case is None
        or not CaseKey.objects.filter(case=proposal.case, user=user).exists()
    ):
        raise RewardRefused(
            _(
                "You cannot read this case. A supervisor must give you access "
                "before you decide."
            ),
            "no_access",
        )
    if not reason.strip() or len(reason) > MAX_JUSTIFICATION_CHARS:
        raise RewardRefused(_("Give a reason for your decision."), "reason")
    return proposal.case


def _check_spend(proposal: Proposal, *, year: int) -> None:
    tier = Tier.objects.select_for_update().get(pk=proposal.tier_id)
    if not tier.admits(proposal.amount):
        raise RewardRefused(
            _("The amount is no longer within the tier."), "outside_tier"
        )
    if proposal.amount == 0:
        return
    budget = (
        Budget.objects.select_for_update()
        .filter(policy=proposal.policy, year=year)
        .first()
    )
    remaining = (
        0
        if budget is None
        else budget.amount - approved_total(policy=proposal.policy, year=year)
    )
    if proposal.amount > remaining:
        raise RewardRefused(
            _("The amount is more than what is left of %(year)s's budget.")
            % {"year": year},
            "over_budget",
        )


# --- Withdrawing an offer ------------------------------------------------------


def withdraw_offer(
    *, offer: Offer, user: User, private_key: bytes, reason: str, code: str
) -> Offer:
    """A rewards approver who can read the case withdraws an offer not yet paid
    (the report proved malicious, the reporter was found to be ineligible), with
    a reason (encrypted with the case) and a fresh second-factor code. Its claim
    code stops working and its amount goes back to the year's budget. Refusals
    change nothing and are audited."""
    with audited_refusal(
        action="reward.withdraw", actor=user, target=f"offer:{offer.pk}"
    ):
        if user.role != Role.REWARDS_APPROVER:
            raise RewardRefused(
                _("Only a rewards approver can withdraw an offer."), "not_approver"
            )
        if not reason.strip() or len(reason) > MAX_JUSTIFICATION_CHARS:
            raise RewardRefused(_("Give a reason for withdrawing it."), "reason")
        _check_code(user, code)
        with transaction.atomic():
            locked = Offer.objects.select_for_update().get(pk=offer.pk)
            if locked.status not in (OfferStatus.OFFERED, OfferStatus.ACCEPTED):
                raise RewardRefused(
                    _("This offer was paid, declined or withdrawn already."),
                    "not_withdrawable",
                )
            if (
                locked.case is None
                or not CaseKey.objects.filter(case=locked.case, user=user).exists()
            ):
                raise RewardRefused(
                    _("You cannot read this case, so you cannot withdraw its offer."),
                    "no_access",
                )
            data_key = data_key_for(
                case=locked.case, user=user, private_key=private_key
            )
            before = locked.status
            locked.status = OfferStatus.WITHDRAWN
            locked.withdraw_reason_encrypted = crypto.encrypt(
                data_key, reason.encode("utf-8"), context=locked.withdraw_context()
            )
            locked.save(update_fields=["status", "withdraw_reason_encrypted"])
            audit.record(
                action="reward.withdraw",
                actor=user,
                target=f"offer:{locked.pk}",
                detail={"from": before, "amount": locked.amount},
            )
        return locked
