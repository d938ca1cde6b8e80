"""Offers, claim codes and payouts (issue 14, points 5 and 6; services only, the
pages come with those points).

An approval offers each share of the reward to the reporter of its case. The
reporter accepts on their follow-up page and gets a claim code, shown once: 28
digits (about 93 bits) in groups of four like the receipt, so it can be read out
over the phone. Only a keyed hash of it is stored (BLAKE2b keyed with a key
derived from the server's secret key): someone holding a copy of the database
cannot claim the reward, nor test guesses offline. Finance staff enter the code
the claimant presents; it works once, expires, and wrong codes are throttled per
finance user and audited.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tipline.accounts.models import Role, User
from tipline.audit import services as audit
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case
from tipline.crypto import MalformedReceipt, format_receipt, normalise_receipt
from tipline.lib.clock import coarse_now
from tipline.rewards.errors import RewardRefused, audited_refusal
from tipline.rewards.models import Offer, OfferStatus, PayoutMethod, Proposal

# Claim codes have the receipt's shape, so they are read and typed the same way.
CLAIM_DIGITS = 28
WRONG_CODE_LIMIT = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)
MAX_REFERENCE_CHARS = 100


def _claim_key() -> bytes:
    return hashlib.blake2b(
        settings.SECRET_KEY.encode(), digest_size=32, person=b"tipline-claim"
    ).digest()


def claim_lookup(code: str) -> str:
    """The keyed hash stored for a normalised claim code (hex)."""
    return hashlib.blake2b(
        code.encode("ascii"), digest_size=32, key=_claim_key()
    ).hexdigest()


def create_offers(*, proposal: Proposal) -> list[Offer]:
    """Offer each share of an approved proposal to its case's reporter (inside
    the approval's transaction)."""
    now = timezone.now()
    answer_by = now + timedelta(days=settings.REWARD_OFFER_DAYS)
    offers = [
        Offer(
            share=share,
            case_id=share.case_id,
            amount=share.amount,
            currency=proposal.currency,
            offered_at=now,
            answer_by=answer_by,
        )
        for share in proposal.shares.filter(case__isnull=False)
    ]
    return Offer.objects.bulk_create(offers)


def offer_for(case: Case) -> Offer | None:
    """The newest offer to the reporter of ``case``, if any (whatever its state,
    so the follow-up page can say "paid", "expired" or "declined")."""
    return (
        Offer.objects.filter(case=case).select_related("share__proposal__tier").first()
    )


def is_expired(offer: Offer) -> bool:
    return offer.status == OfferStatus.OFFERED and offer.answer_by <= timezone.now()


def accept_offer(*, offer: Offer) -> str:
    """The reporter accepts: their one-time claim code (formatted in groups),
    shown once. An expired, withdrawn or already answered offer is refused."""
    with audited_refusal(action="reward.accept", actor=None, target=_target(offer)):
        return _accept(offer)


@transaction.atomic
def _accept(offer: Offer) -> str:
    locked = _answerable(offer)
    code = f"{secrets.randbelow(10**CLAIM_DIGITS):0{CLAIM_DIGITS}d}"
    locked.status = OfferStatus.ACCEPTED
    locked.answered_at = coarse_now()
    locked.claim_lookup = claim_lookup(code)
    locked.claim_expires_at = timezone.now() + timedelta(
        days=settings.REWARD_CLAIM_DAYS
    )
    locked.save()
    audit.record(
        action="reward.accept", actor=None, target=_target(locked), at=coarse_now()
    )
    return format_receipt(code)


def decline_offer(*, offer: Offer) -> None:
    """The reporter declines; nothing is paid."""
    with (
        audited_refusal(action="reward.decline", actor=None, target=_target(offer)),
        transaction.atomic(),
    ):
        locked = _answerable(offer)
        locked.status = OfferStatus.DECLINED
        locked.answered_at = coarse_now()
        locked.save()
        audit.record(
            action="reward.decline", actor=None, target=_target(locked), at=coarse_now()
        )


def _answerable(offer: Offer) -> Offer:
    locked = Offer.objects.select_for_update().get(pk=offer.pk)
    if locked.status == OfferStatus.WITHDRAWN:
        raise RewardRefused(_("This offer was withdrawn."), "withdrawn")
    if locked.status != OfferStatus.OFFERED:
        raise RewardRefused(_("You have already answered this offer."), "answered")
    if is_expired(locked):
        raise RewardRefused(
            _("The time to answer this offer has passed."), "offer_expired"
        )
    return locked


def record_payout(
    *, user: User, code: str, paid_on: date, method: str, reference: str
) -> Offer:
    """Finance records that the holder of ``code`` was paid. The code works once
    and until it expires; wrong codes are counted per finance user, and after
    WRONG_CODE_LIMIT within WRONG_CODE_WINDOW every code is refused until the
    window passes. Every attempt is audited."""
    with audited_refusal(action="reward.payout", actor=user, target="claim"):
        if user.role != Role.FINANCE:
            raise RewardRefused(_("Only finance staff record payouts."), "not_finance")
        if _wrong_codes(user) >= WRONG_CODE_LIMIT:
            raise RewardRefused(
                _("Too many wrong claim codes. Wait 15 minutes and try again."),
                "throttled",
            )
        return _pay(
            user=user, code=code, paid_on=paid_on, method=method, reference=reference
        )


def _wrong_codes(user: User) -> int:
    return AuditEvent.objects.filter(
        action="reward.payout",
        actor=user,
        at__gte=timezone.now() - WRONG_CODE_WINDOW,
        detail__refused="wrong_code",
    ).count()


@transaction.atomic
def _pay(*, user: User, code: str, paid_on: date, method: str, reference: str) -> Offer:
    if method not in PayoutMethod.values:
        raise RewardRefused(_("Choose how it was paid."), "method")
    if len(reference) > MAX_REFERENCE_CHARS:
        raise RewardRefused(_("The reference is too long."), "reference")
    try:
        lookup = claim_lookup(normalise_receipt(code))
    except MalformedReceipt:
        raise RewardRefused(
            _("That is not a claim code: it has 28 digits."), "wrong_code"
        ) from None
    offer = (
        Offer.objects.select_for_update().filter(claim_lookup=lookup).first()
        if lookup
        else None
    )
    if offer is None:
        raise RewardRefused(_("No reward has this claim code."), "wrong_code")
    if offer.status == OfferStatus.PAID:
        raise RewardRefused(_("This claim code has already been used."), "used")
    if offer.status != OfferStatus.ACCEPTED:
        raise RewardRefused(_("This offer cannot be paid."), "not_accepted")
    if offer.claim_expires_at is None or offer.claim_expires_at <= timezone.now():
        raise RewardRefused(_("This claim code has expired."), "claim_expired")
    offer.status = OfferStatus.PAID
    offer.paid_at, offer.paid_by = paid_on, user
    offer.method, offer.reference = method, reference.strip()
    offer.save()
    audit.record(
        action="reward.payout",
        actor=user,
        target=_target(offer),
        detail={"amount": offer.amount, "currency": offer.currency, "method": method},
    )
    return offer


def _target(offer: Offer) -> str:
    return f"offer:{offer.pk}"
