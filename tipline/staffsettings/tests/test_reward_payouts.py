"""The payout page through HTTP, as finance staff use it without JavaScript: the
claim code from the reporter's acceptance pays the reward once; every refused
attempt changes nothing, says why and is on the record."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from testkit.helpers import post_form
from tipline.audit.models import AuditEvent
from tipline.rewards import services
from tipline.rewards.models import Offer

PAYOUTS = "/staff/rewards/payouts/"
TIER = "Material reward, grade 1 (up to CNY 10,000)"

pytestmark = pytest.mark.django_db


def payout(code, **changes):
    return {
        "code": code,
        "paid_on": timezone.localdate().isoformat(),
        "method": "bank_transfer",
        "reference": "TX-2026-0042",
        **changes,
    }


def payout_events():
    return list(
        AuditEvent.objects.filter(action="reward.payout").values_list(
            "target", "detail"
        )
    )


def test_finance_pays_with_the_code_from_the_acceptance(offer, finance, signed_in):
    code = services.accept_offer(offer=offer)
    client = signed_in(finance)
    waiting = client.get(PAYOUTS).content.decode()
    assert f"#{offer.pk}" in waiting
    assert "3000.00 CNY" in waiting
    assert TIER in waiting

    response = post_form(
        client, PAYOUTS, PAYOUTS, payout(code.replace(" ", "-")), follow=True
    )

    assert response.redirect_chain == [(PAYOUTS, 302)]
    page = response.content.decode()
    assert f"Paid 3000.00 CNY, {TIER}, offer #{offer.pk}." in page
    assert "TX-2026-0042" in page  # the latest payments
    assert "No accepted rewards are waiting for payment." in page
    assert "gate codes" not in page  # nothing of the case
    offer.refresh_from_db()
    assert (offer.status, offer.paid_at, offer.paid_by) == (
        "paid",
        timezone.localdate(),
        finance,
    )
    assert (offer.method, offer.reference) == ("bank_transfer", "TX-2026-0042")
    assert payout_events() == [
        (
            f"offer:{offer.pk}",
            {"amount": 300_000, "currency": "CNY", "method": "bank_transfer"},
        )
    ]


def _used(offer, code, finance):
    services.record_payout(
        user=finance,
        code=code,
        paid_on=timezone.localdate(),
        method="cash",
        reference="first",
    )
    return code


def _expired(offer, code, finance):
    Offer.objects.filter(pk=offer.pk).update(
        claim_expires_at=timezone.now() - timedelta(minutes=1)
    )
    return code


@pytest.mark.parametrize(
    ("arrange", "changes", "message", "cause"),
    [
        (None, {"code": "1234 " * 7}, "No reward has this claim code.", "wrong_code"),
        (None, {"code": "1234 5678"}, "That is not a claim code", "wrong_code"),
        (None, {"code": "=cmd|' /C calc'!A0"}, "not a claim code", "wrong_code"),
        (_used, {}, "This claim code has already been used.", "used"),
        (_expired, {}, "This claim code has expired.", "claim_expired"),
        (None, {"method": ""}, "This field is required.", "form"),
        (None, {"method": "crypto"}, "Select a valid choice.", "form"),
        (None, {"code": ""}, "This field is required.", "form"),
        (None, {"reference": "x" * 101}, "at most 100 characters", "form"),
        (
            None,
            {"paid_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "The date paid cannot be in the future.",
            "form",
        ),
        (
            None,
            {
                "paid_on": (
                    timezone.localdate()
                    - timedelta(days=settings.REWARD_CLAIM_DAYS + 1)
                ).isoformat()
            },
            "the date paid cannot be before",
            "form",
        ),
        (None, {"paid_on": "2026-02-30"}, "Enter a valid date.", "form"),
    ],
    ids=[
        "wrong",
        "malformed",
        "formula",
        "used-twice",
        "expired",
        "no-method",
        "unknown-method",
        "no-code",
        "long-reference",
        "future-date",
        "before-any-live-code",
        "impossible-date",
    ],
)
def test_a_refused_payout_says_why_changes_nothing_and_is_audited(
    offer, finance, signed_in, arrange, changes, message, cause
):
    code = services.accept_offer(offer=offer)
    if arrange:
        arrange(offer, code, finance)
    offer.refresh_from_db()
    before = Offer.objects.values().get(pk=offer.pk)
    events = AuditEvent.objects.filter(action="reward.payout").count()
    client = signed_in(finance)

    response = post_form(client, PAYOUTS, PAYOUTS, {**payout(code), **changes})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Offer.objects.values().get(pk=offer.pk) == before
    refusals = AuditEvent.objects.filter(action="reward.payout").order_by("pk")
    assert refusals.count() == events + 1
    last = refusals.last()
    assert last.actor == finance
    assert last.detail["refused"] == cause
    # A retry with the code as given works, unless it was already used.
    if cause != "used":
        Offer.objects.filter(pk=offer.pk).update(
            claim_expires_at=timezone.now() + timedelta(days=1)
        )
        retry = post_form(client, PAYOUTS, PAYOUTS, payout(code))
        assert retry.status_code == 302
        offer.refresh_from_db()
        assert offer.status == "paid"


def test_after_five_wrong_codes_even_the_right_one_is_refused(
    offer, finance, signed_in
):
    code = services.accept_offer(offer=offer)
    client = signed_in(finance)
    for attempt in range(5):
        wrong = post_form(client, PAYOUTS, PAYOUTS, payout(f"{attempt}" * 28))
        assert wrong.status_code == 400

    response = post_form(client, PAYOUTS, PAYOUTS, payout(code))

    assert response.status_code == 400
    assert "Too many wrong claim codes. Wait 15 minutes" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == "accepted"
    assert payout_events()[-1] == ("claim", {"refused": "throttled"})


def test_other_staff_get_a_404_and_pay_nothing(
    offer, owner, approver, outsider, administrator, signed_in
):
    code = services.accept_offer(offer=offer)
    for user in (owner, approver, outsider, administrator):
        client = signed_in(user)
        csrf = client.get("/staff/").cookies["csrftoken"].value

        assert client.get(PAYOUTS).status_code == 404
        posted = client.post(PAYOUTS, {"csrfmiddlewaretoken": csrf, **payout(code)})
        assert posted.status_code == 404

    offer.refresh_from_db()
    assert offer.status == "accepted"
    assert payout_events() == []


def test_someone_signed_out_is_sent_to_sign_in(offer, client):
    response = client.get(PAYOUTS)

    assert response.status_code == 302
    assert response.url == f"/staff/login/?next={PAYOUTS}"


def test_the_page_lists_offers_waiting_and_shows_no_case_content(
    offer, finance, signed_in, django_assert_max_num_queries
):
    services.accept_offer(offer=offer)
    offer.refresh_from_db()
    client = signed_in(finance)

    with django_assert_max_num_queries(12):
        page = client.get(PAYOUTS).content.decode()

    assert f"{offer.claim_expires_at:%Y-%m-%d}" in page
    assert f"{offer.answered_at:%Y-%m-%d}" in page
    for secret in ("gate codes", "Named the handler.", "Confirmed."):
        assert secret not in page
    assert "No payments recorded yet." in page


def test_the_date_paid_defaults_to_today_in_either_language(finance, signed_in):
    client = signed_in(finance)
    today = timezone.localdate().isoformat()

    for language in ("en", "zh-hans"):
        page = client.get(PAYOUTS, headers={"accept-language": language})
        html = page.content.decode()
        assert f'lang="{language}"' in html
        assert f'type="date" name="paid_on" value="{today}"' in html
