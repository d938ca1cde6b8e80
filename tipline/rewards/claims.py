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
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tipline import crypto
from tipline.accounts.models import Role, User
from tipline.audit import services as audit
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case
from tipline.crypto import MalformedReceipt, format_receipt, normalise_receipt
from tipline.lib.clock import coarse_now
from tipline.rewards import certificates
from tipline.rewards.certificates_text import LANGUAGE_CHOICES
from tipline.rewards.errors import RewardRefused, audited_refusal
from tipline.rewards.models import Offer, OfferStatus, PayoutMethod, Proposal

# Claim codes have the receipt's shape, so they are read and typed the same way.
CLAIM_DIGITS = 28
WRONG_CODE_LIMIT = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)
MAX_REFERENCE_CHARS = 100
MAX_PRINTED_NAME_CHARS = 80
MAX_IDENTITY_CHARS = 500


@dataclass(frozen=True)
class Acceptance:
    """What a reporter chooses when they accept: the name printed on their
    certificate (blank: "an anonymous member of the public"), its language, and
    what they give for the payout, if anything (blank: nothing)."""

    printed_name: str = ""
    language: str = "en"
    identity: str = ""


@dataclass(frozen=True)
class ReporterKeys:
    """The keys the reporter's receipt opens: the case's data key (the identity
    is encrypted with it) and their own key (the certificate's code is sealed
    under it, tipline.crypto.reporter_only_key)."""

    data_key: bytes
    own_key: bytes


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
        Offer.objects.filter(case=case)
        .select_related("share__proposal__tier", "share__proposal__policy")
        .first()
    )


def is_expired(offer: Offer) -> bool:
    return offer.status == OfferStatus.OFFERED and offer.answer_by <= timezone.now()


def accept_offer(
    *,
    offer: Offer,
    keys: ReporterKeys | None = None,
    acceptance: Acceptance | None = None,
) -> str:
    """The reporter accepts: their one-time claim code (formatted in groups),
    shown once. An expired, withdrawn or already answered offer is refused, and so
    is a printed name or an identity that is too long or holds control
    characters. With ``keys``, a commendation certificate is issued and its code
    kept for the reporter, and the identity (if any) stored encrypted."""
    acceptance = acceptance or Acceptance()
    with audited_refusal(action="reward.accept", actor=None, target=_target(offer)):
        checked = _checked(acceptance)
        if checked.identity and keys is None:
            raise ValueError("an identity needs the case's data key")
        return _accept(offer, keys, checked)


def _checked(acceptance: Acceptance) -> Acceptance:
    name = unicodedata.normalize("NFC", acceptance.printed_name.strip())
    identity = unicodedata.normalize("NFC", acceptance.identity.strip())
    if len(name) > MAX_PRINTED_NAME_CHARS:
        raise RewardRefused(
            _("The name to print is too long: at most 80 characters."), "name_long"
        )
    if _has_controls(name, allowed=""):
        raise RewardRefused(
            _("The name to print holds characters that cannot be printed."),
            "name_controls",
        )
    if len(identity) > MAX_IDENTITY_CHARS:
        raise RewardRefused(
            _("What you give for the payout is too long: at most 500 characters."),
            "identity_long",
        )
    if _has_controls(identity, allowed="\n\r\t"):
        raise RewardRefused(
            _("What you give for the payout holds characters that cannot be kept."),
            "identity_controls",
        )
    if acceptance.language not in LANGUAGE_CHOICES:
        raise RewardRefused(_("Choose the certificate's language."), "language")
    return Acceptance(
        printed_name=name, language=acceptance.language, identity=identity
    )


def _has_controls(text: str, *, allowed: str) -> bool:
    """Control and format characters (bidirectional overrides, zero-width
    joiners) that would make a printed name read differently from what it is."""
    return any(
        unicodedata.category(char) in {"Cc", "Cf", "Co", "Cn", "Cs"}
        for char in text
        if char not in allowed
    )


@transaction.atomic
def _accept(offer: Offer, keys: ReporterKeys | None, acceptance: Acceptance) -> str:
    locked = _answerable(offer)
    code = f"{secrets.randbelow(10**CLAIM_DIGITS):0{CLAIM_DIGITS}d}"
    locked.status = OfferStatus.ACCEPTED
    locked.answered_at = coarse_now()
    locked.claim_lookup = claim_lookup(code)
    locked.claim_expires_at = timezone.now() + timedelta(
        days=settings.REWARD_CLAIM_DAYS
    )
    if keys is not None:
        certificate_code = certificates.register_certificate(
            printed_name=acceptance.printed_name or None,
            language=acceptance.language,
            issued_on=timezone.localdate(),
        )
        locked.certificate_sealed = crypto.encrypt(
            keys.own_key,
            certificate_code.encode("ascii"),
            context=locked.certificate_context(),
        )
        if acceptance.identity:
            locked.identity_encrypted = crypto.encrypt(
                keys.data_key,
                acceptance.identity.encode("utf-8"),
                context=locked.identity_context(),
            )
    locked.save()
    audit.record(
        action="reward.accept",
        actor=None,
        target=_target(locked),
        at=coarse_now(),
        detail={
            "certificate": keys is not None,
            "identity_given": locked.identity_encrypted is not None,
        },
    )
    if keys is not None:
        audit.record(action="certificate.issued", actor=None, at=coarse_now())
    return format_receipt(code)


def certificate_for(offer: Offer, own_key: bytes) -> certificates.Certificate | None:
    """The reporter's certificate again (the same code and document each time),
    or None if none was issued or ``own_key`` is not theirs."""
    if offer.certificate_sealed is None:
        return None
    try:
        code = crypto.decrypt(
            own_key,
            bytes(offer.certificate_sealed),
            context=offer.certificate_context(),
        )
    except crypto.DecryptionFailed:
        return None
    return certificates.document_for_code(code.decode("ascii"))


def read_identity(offer: Offer, data_key: bytes) -> str | None:
    """What the reporter gave for the payout, for someone holding the case's
    data key; None if they gave nothing."""
    if offer.identity_encrypted is None:
        return None
    return crypto.decrypt(
        data_key, bytes(offer.identity_encrypted), context=offer.identity_context()
    ).decode("utf-8")


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
    if offer.answered_at is not None and paid_on < timezone.localdate(
        offer.answered_at
    ):
        raise RewardRefused(
            _("The date paid is before the reward was accepted."), "paid_before"
        )
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
