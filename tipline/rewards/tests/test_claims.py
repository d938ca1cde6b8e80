"""Offers, claim codes and payouts (issue 14, point 5's services)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from testkit.helpers import make_staff
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.rewards import claims, services
from tipline.rewards.models import Offer
from tipline.rewards.services import RewardRefused

from .conftest import fresh_code, key_of

# Today, so a payment is never dated before the acceptance the test just made.
TODAY = timezone.localdate()


def pay(user, code, **extra):
    return services.record_payout(
        user=user,
        code=code,
        paid_on=extra.get("paid_on", TODAY),
        method=extra.get("method", "bank_transfer"),
        reference=extra.get("reference", "TX-1"),
    )


def refusals(action):
    events = AuditEvent.objects.filter(action=action).order_by("pk")
    return [e.detail["refused"] for e in events if "refused" in e.detail]


@pytest.mark.django_db
def test_an_approval_offers_the_reward_to_the_case(offer, substantiated):
    assert (offer.status, offer.amount, offer.currency) == ("offered", 300_000, "CNY")
    assert offer.case == substantiated
    assert offer.answer_by > timezone.now() + timedelta(days=59)


@pytest.mark.django_db
def test_accepting_gives_a_one_time_code_of_which_only_a_keyed_hash_is_kept(
    offer, finance
):
    code = services.accept_offer(offer=offer)

    assert re.fullmatch(r"(\d{4} ){6}\d{4}", code)  # 28 digits, about 93 bits
    offer.refresh_from_db()
    assert offer.status == "accepted"
    digits = code.replace(" ", "")
    stored = " ".join(str(v) for v in Offer.objects.values_list().get(pk=offer.pk))
    assert digits not in stored
    assert offer.claim_lookup == claims.claim_lookup(digits)
    assert offer.answered_at.minute == 0  # a reporter's time: the hour only

    paid = pay(finance, code.replace(" ", "-"), reference="  TX-42 ")

    assert (paid.status, paid.paid_at, paid.method, paid.reference) == (
        "paid",
        TODAY,
        "bank_transfer",
        "TX-42",
    )
    with pytest.raises(RewardRefused, match="already been used"):
        pay(finance, code)
    assert refusals("reward.payout") == ["used"]


@pytest.mark.django_db
def test_an_offer_is_answered_once_and_not_after_its_time(offer):
    services.decline_offer(offer=offer)

    with pytest.raises(RewardRefused, match="already answered"):
        services.accept_offer(offer=offer)
    offer.refresh_from_db()
    assert (offer.status, offer.claim_lookup) == ("declined", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "message"),
    [("expired", "time to answer this offer has passed"), ("withdrawn", "withdrawn")],
)
def test_an_expired_or_withdrawn_offer_cannot_be_accepted(offer, status, message):
    if status == "expired":
        Offer.objects.filter(pk=offer.pk).update(answer_by=timezone.now())
    else:
        Offer.objects.filter(pk=offer.pk).update(status="withdrawn")

    with pytest.raises(RewardRefused, match=message):
        services.accept_offer(offer=offer)

    offer.refresh_from_db()
    assert offer.claim_lookup == ""
    assert len(refusals("reward.accept")) == 1


@pytest.mark.django_db
def test_an_expired_claim_code_is_refused(offer, finance):
    code = services.accept_offer(offer=offer)
    Offer.objects.filter(pk=offer.pk).update(claim_expires_at=timezone.now())

    with pytest.raises(RewardRefused, match="has expired"):
        pay(finance, code)
    offer.refresh_from_db()
    assert offer.status == "accepted"


@pytest.mark.django_db
def test_wrong_codes_are_audited_and_throttled(offer, finance):
    code = services.accept_offer(offer=offer)
    other = f"{(int(code.replace(' ', '')) + 1) % 10**28:028d}"
    wrong = [other, "1234", "x" * 28, "", "١" * 28]

    for guess in wrong:
        with pytest.raises(RewardRefused, match="claim code"):
            pay(finance, guess)

    assert refusals("reward.payout") == ["wrong_code"] * 5
    # Throttled now: even the right code waits, and the offer is not paid.
    with pytest.raises(RewardRefused, match="Too many wrong claim codes"):
        pay(finance, code)
    offer.refresh_from_db()
    assert offer.status == "accepted"
    # Another finance user is not locked out by the first one's mistakes.
    assert pay(make_staff("fred", "finance", role=Role.FINANCE), code).status == "paid"


@pytest.mark.django_db
def test_only_finance_records_payouts(offer, owner, approver):
    code = services.accept_offer(offer=offer)

    for user in (owner, approver):
        with pytest.raises(RewardRefused, match="Only finance"):
            pay(user, code)
    offer.refresh_from_db()
    assert offer.status == "accepted"


@pytest.mark.django_db
def test_a_payout_needs_a_known_method(offer, finance):
    code = services.accept_offer(offer=offer)

    with pytest.raises(RewardRefused, match="how it was paid"):
        pay(finance, code, method="crypto")
    offer.refresh_from_db()
    assert offer.status == "accepted"


def withdraw(offer, user, code=None, reason="The report proved malicious."):
    return services.withdraw_offer(
        offer=offer,
        user=user,
        private_key=key_of(user),
        reason=reason,
        code=fresh_code(user) if code is None else code,
    )


def spent(offer):
    policy = offer.share.proposal.policy
    return services.approved_total(policy=policy, year=timezone.localdate().year)


def test_a_withdrawn_offer_cannot_be_accepted_and_its_amount_goes_back(
    offer, second_approver
):
    assert spent(offer) == 300_000

    withdraw(offer, second_approver)

    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    assert spent(offer) == 0
    with pytest.raises(RewardRefused, match="This offer was withdrawn"):
        services.accept_offer(offer=offer)
    event = AuditEvent.objects.get(action="reward.withdraw")
    assert event.detail == {"from": "offered", "amount": 300_000}
    assert "malicious" not in str(event.detail)


def test_withdrawing_an_accepted_offer_stops_its_claim_code(offer, finance, approver):
    code = services.accept_offer(offer=offer)

    withdraw(offer, approver)

    with pytest.raises(RewardRefused, match="This offer cannot be paid"):
        pay(finance, code)
    offer.refresh_from_db()
    assert offer.status == "withdrawn"


def test_a_paid_or_declined_offer_cannot_be_withdrawn(offer, finance, approver):
    pay(finance, services.accept_offer(offer=offer))

    with pytest.raises(RewardRefused, match="paid, declined or withdrawn already"):
        withdraw(offer, approver)
    offer.refresh_from_db()
    assert offer.status == "paid"
    assert refusals("reward.withdraw") == ["not_withdrawable"]


def test_only_an_approver_with_a_right_code_withdraws(offer, owner, approver):
    with pytest.raises(RewardRefused, match="Only a rewards approver"):
        withdraw(offer, owner, code="000000")
    with pytest.raises(RewardRefused, match="wrong or was already used"):
        withdraw(offer, approver, code="000000")
    with pytest.raises(RewardRefused, match="Give a reason"):
        withdraw(offer, approver, reason=" ")

    offer.refresh_from_db()
    assert offer.status == "offered"
    assert refusals("reward.withdraw") == ["not_approver", "wrong_code", "reason"]


def test_a_declined_share_goes_back_to_the_budget(offer):
    services.decline_offer(offer=offer)

    assert spent(offer) == 0


def test_a_payment_dated_before_the_acceptance_is_refused(offer, finance):
    code = services.accept_offer(offer=offer)
    offer.refresh_from_db()
    accepted_on = timezone.localdate(offer.answered_at)

    with pytest.raises(RewardRefused, match="before the reward was accepted"):
        pay(finance, code, paid_on=accepted_on - timedelta(days=1))

    offer.refresh_from_db()
    assert offer.status == "accepted"
    assert refusals("reward.payout") == ["paid_before"]
    assert pay(finance, code, paid_on=accepted_on).status == "paid"
