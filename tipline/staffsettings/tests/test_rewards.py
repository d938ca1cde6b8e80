"""The reward pages through HTTP, as a browser without JavaScript uses them:
administrators' tiers and budgets, a proposal from the case page, and the
approvers' list and decision with a fresh second-factor code."""

import pytest
from django.test import Client
from django.utils import timezone

from testkit.helpers import (
    make_staff,
    post_form,
    staff_login,
)
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case
from tipline.cases.workflow import change_status
from tipline.profiles.loader import load_profile
from tipline.rewards import services
from tipline.rewards.models import Budget, Proposal
from tipline.rewards.tests.fixtures import fresh_code

SETTINGS = "/staff/settings/rewards/"
PROPOSALS = "/staff/rewards/"
YEAR = timezone.localdate().year


def client_for(user):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


@pytest.fixture
def admin(profile):
    return make_staff("admin", "admins", role=Role.ADMINISTRATOR)


@pytest.fixture
def case(submit_report, owner, approver):
    submit_report({"what_happened": "A man offered money for the gate codes."})
    found = Case.objects.get()
    change_status(
        case=found, user=owner, status="closed", outcome="substantiated", version=0
    )
    return found


def policy():
    return services.policy_for("national-security")


def budget_url():
    return f"/staff/settings/rewards/{policy().pk}/budget/"


def budget_form(year=YEAR, amount="50000.00"):
    prefix = f"budget-{policy().pk}"
    return {f"{prefix}-year": year, f"{prefix}-amount": amount}


@pytest.mark.django_db
def test_administrators_set_a_budget_and_see_what_remains(admin):
    load_profile("whistleblowing")
    client = client_for(admin)

    response = post_form(client, SETTINGS, budget_url(), budget_form())

    assert response.status_code == 302
    budget = Budget.objects.get()
    assert (budget.year, budget.amount, budget.currency) == (YEAR, 5_000_000, "CNY")
    page = client.get(SETTINGS).content.decode()
    # The currency is named once, above the amounts.
    assert "Amounts in CNY" in page
    assert '<td class="amount remaining">50000.00</td>' in page
    assert "Material reward, grade 4 (above CNY 100,000)" in page
    assert "100000.00 CNY or more" in page
    assert "pays no money" in page  # the whistleblowing profile
    assert AuditEvent.objects.filter(action="settings.reward_budget").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "at most 2 decimal places and no sign"),
        ("12.345", "at most 2 decimal places"),
        ("1e6", "no sign or separators"),
        ("10,000", "no sign or separators"),
        ("", "This field is required"),
        ("１０", "no sign or separators"),  # full-width digits
    ],
)
def test_a_bad_budget_is_refused_and_nothing_changes(admin, amount, message):
    client = client_for(admin)

    response = post_form(client, SETTINGS, budget_url(), budget_form(amount=amount))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Budget.objects.exists()
    assert not AuditEvent.objects.filter(action="settings.reward_budget").exists()


@pytest.mark.django_db
def test_administrators_edit_a_tier_and_bad_ranges_are_refused(admin):
    client = client_for(admin)
    tier = policy().tiers.get(slug="grade-2")
    prefix = f"tier-{tier.pk}"
    data = {
        f"{prefix}-name_en": "Grade two",
        f"{prefix}-name_zh": "第二档",
        f"{prefix}-criteria_en": "An important clue.",
        f"{prefix}-criteria_zh": "重要线索。",
        f"{prefix}-min_amount": "10000",
        f"{prefix}-max_amount": "25000.50",
    }
    url = f"/staff/settings/rewards/tiers/{tier.pk}/"

    refused = post_form(client, SETTINGS, url, {**data, f"{prefix}-max_amount": "9"})

    assert refused.status_code == 400
    assert "The maximum is below the minimum." in refused.content.decode()
    tier.refresh_from_db()
    assert tier.max_amount == 3_000_000

    saved = post_form(client, SETTINGS, url, data)

    assert saved.status_code == 302
    tier.refresh_from_db()
    assert (tier.min_amount, tier.max_amount) == (1_000_000, 2_500_050)
    assert tier.name == {"en": "Grade two", "zh-hans": "第二档"}
    assert AuditEvent.objects.filter(action="settings.reward_tier").count() == 1


@pytest.mark.django_db
def test_others_cannot_open_the_reward_settings(owner, approver):
    tier = policy().tiers.get(slug="grade-1")
    for user in (owner, approver):
        client = client_for(user)
        csrf = client.get("/staff/").cookies["csrftoken"].value
        assert client.get(SETTINGS).status_code == 404
        assert client.get(PROPOSALS).status_code == (200 if user == approver else 404)
        posts = [
            client.post(budget_url(), {"csrfmiddlewaretoken": csrf, **budget_form()}),
            client.post(
                f"/staff/settings/rewards/tiers/{tier.pk}/",
                {"csrfmiddlewaretoken": csrf, f"tier-{tier.pk}-min_amount": "1"},
            ),
        ]
        assert [r.status_code for r in posts] == [404, 404]
    assert not Budget.objects.exists()
    tier.refresh_from_db()
    assert tier.min_amount == 0
    assert not AuditEvent.objects.filter(action__startswith="settings.").exists()


def propose_form(tier_slug="grade-1", amount="5000.00", justification="Led to it."):
    return {
        "tier": policy().tiers.get(slug=tier_slug).pk,
        "amount": amount,
        "justification": justification,
    }


@pytest.mark.django_db
def test_a_reader_proposes_from_the_case_page(case, owner):
    client = client_for(owner)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    url = f"/staff/cases/{case.pk}/reward/"
    assert f'href="{url}"' in page

    response = post_form(client, url, url, propose_form())

    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.amount, proposal.currency, proposal.proposed_by) == (
        500_000,
        "CNY",
        owner,
    )
    assert "Waiting for approval" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_proposal_page_shows_the_award_schedule_for_this_outcome(case, owner):
    html = client_for(owner).get(f"/staff/cases/{case.pk}/reward/").content.decode()

    assert "Award schedule" in html
    assert "Substantiated: 10 points" in html
    assert "(this case)" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "12.345"}, "at most 2 decimal places"),
        ({"amount": "-5"}, "no sign or separators"),
        ({"amount": "10000.01"}, "The amount is outside the tier."),
        ({"tier_slug": "grade-3", "amount": "5"}, "outside the tier"),
        ({"justification": " "}, "This field is required"),
    ],
    ids=["decimals", "negative", "over-tier", "under-tier", "no-justification"],
)
def test_bad_proposals_are_refused_and_nothing_is_stored(case, owner, data, message):
    client = client_for(owner)
    url = f"/staff/cases/{case.pk}/reward/"

    response = post_form(client, url, url, propose_form(**data))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_the_case_page_offers_no_proposal_for_other_outcomes(
    submit_report, owner, approver
):
    submit_report({"what_happened": "Someone watched the gate."})
    found = Case.objects.get()
    change_status(
        case=found, user=owner, status="closed", outcome="unfounded", version=0
    )
    client = client_for(owner)
    url = f"/staff/cases/{found.pk}/reward/"

    assert url not in client.get(f"/staff/cases/{found.pk}/").content.decode()
    response = post_form(client, url, url, propose_form())

    assert response.status_code == 400
    assert "Only a case closed as substantiated" in response.content.decode()
    assert not Proposal.objects.exists()
    event = AuditEvent.objects.get(action="reward.propose")
    assert event.detail == {"refused": "not_substantiated"}


@pytest.mark.django_db
def test_an_outsider_gets_a_404_on_the_proposal_page(case, outsider):
    client = client_for(outsider)
    url = f"/staff/cases/{case.pk}/reward/"

    assert client.get(url).status_code == 404
    assert client.post(url, propose_form()).status_code == 403  # no CSRF token
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_an_approver_lists_filters_and_approves_with_a_fresh_code(
    case, owner, approver, admin
):
    services.set_budget(user=admin, policy=policy(), year=YEAR, amount=600_000)
    proposal = services.propose(
        case=case,
        user=owner,
        private_key=_key(owner),
        tier=policy().tiers.get(slug="grade-1"),
        amount=500_000,
        justification="Named the handler.",
    )
    client = client_for(approver)
    listing = client.get(PROPOSALS, {"status": "open", "year": YEAR}).content.decode()
    assert f"/staff/rewards/{proposal.pk}/" in listing
    assert "5000.00 CNY" in listing
    assert (
        "No proposals match."
        in client.get(PROPOSALS, {"status": "approved"}).content.decode()
    )
    url = f"/staff/rewards/{proposal.pk}/"
    page = client.get(url).content.decode()
    assert "Named the handler." in page
    assert "6000.00 CNY" in page  # remaining before

    wrong = post_form(
        client, url, url, {"decision": "approve", "reason": "ok", "code": "000000"}
    )
    assert wrong.status_code == 400
    assert "That code is wrong" in wrong.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "open"

    data = {"decision": "approve", "reason": "Confirmed.", "code": fresh_code(approver)}
    response = post_form(client, url, url, data)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("approved", approver)
    page = client.get(url).content.decode()
    assert "1000.00 CNY" in page  # remaining after
    assert "Confirmed." in page


@pytest.mark.django_db
def test_an_approver_cannot_approve_their_own_proposal_through_the_page(case, approver):
    proposal = services.propose(
        case=case,
        user=approver,
        private_key=_key(approver),
        tier=policy().tiers.get(slug="commendation"),
        amount=0,
        justification="Mine.",
    )
    client = client_for(approver)
    url = f"/staff/rewards/{proposal.pk}/"
    assert "someone else must decide" in client.get(url).content.decode()

    data = {"decision": "approve", "reason": "Me.", "code": fresh_code(approver)}
    response = client.post(url, {**data, "csrfmiddlewaretoken": _csrf(client, url)})

    assert response.status_code == 400
    assert "someone else must decide" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "open"


def _key(user):
    from testkit.helpers import PASSWORD
    from tipline.accounts.services import unlock_private_key

    return unlock_private_key(user=user, password=PASSWORD)


def _csrf(client, url):
    from testkit.helpers import form_tokens

    return form_tokens(client.get(url).content.decode())["csrfmiddlewaretoken"]


@pytest.mark.django_db
def test_the_approvers_list_filters_by_tier_in_constant_queries(
    submit_report, owner, approver, django_assert_max_num_queries
):
    for text in ("An approach at the fair.", "A drone over the base.", "Third."):
        submit_report({"what_happened": text})
    tiers = ["grade-1", "grade-2", "grade-2"]
    amounts = [500_000, 2_000_000, 2_500_000]
    for found, slug, amount in zip(
        Case.objects.order_by("pk"), tiers, amounts, strict=True
    ):
        change_status(
            case=found, user=owner, status="closed", outcome="substantiated", version=0
        )
        services.propose(
            case=found,
            user=owner,
            private_key=_key(owner),
            tier=policy().tiers.get(slug=slug),
            amount=amount,
            justification="Useful.",
        )
    client = client_for(approver)
    grade_2 = policy().tiers.get(slug="grade-2").pk

    with django_assert_max_num_queries(12):
        page = client.get(PROPOSALS, {"tier": grade_2}).content.decode()

    assert "20000.00 CNY" in page
    assert "25000.00 CNY" in page
    assert "5000.00 CNY" not in page.replace("25000.00", "").replace("20000.00", "")
    bad = client.get(PROPOSALS, {"tier": "x", "year": "-1", "status": "nope"})
    assert bad.status_code == 200
    assert "25000.00 CNY" in bad.content.decode()  # bad filters: everything


@pytest.mark.django_db
def test_an_approver_withdraws_an_offer_from_the_proposal_page(offer, second_approver):
    client = client_for(second_approver)
    url = f"/staff/rewards/{offer.share.proposal_id}/"
    page = client.get(url).content.decode()
    assert "Withdraw this offer" in page
    action = f"/staff/rewards/offers/{offer.pk}/withdraw/"
    prefix = f"offer-{offer.pk}"

    wrong = post_form(
        client, url, action, {f"{prefix}-reason": "Malicious.", f"{prefix}-code": "1"}
    )
    assert wrong.status_code == 400
    assert "wrong or was already used" in wrong.content.decode()
    offer.refresh_from_db()
    assert offer.status == "offered"

    done = post_form(
        client,
        url,
        action,
        {
            f"{prefix}-reason": "Malicious.",
            f"{prefix}-code": fresh_code(second_approver),
        },
    )
    assert done.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    assert "Withdraw this offer" not in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zh", "message", "status"),
    [
        ("请带领取码到财务部门。", None, 302),
        ("  ", "This field is required", 400),
        ("长" * 2001, "at most 2000 characters", 400),
    ],
    ids=["saved", "missing", "too-long"],
)
def test_administrators_edit_the_payout_instructions(admin, zh, message, status):
    pk = policy().pk
    before = policy().payout_instructions
    client = client_for(admin)
    prefix = f"instructions-{pk}"
    response = post_form(
        client,
        "/staff/settings/rewards/",
        f"/staff/settings/rewards/{pk}/instructions/",
        {f"{prefix}-en": "Bring the code to the cashier.", f"{prefix}-zh_hans": zh},
    )

    assert response.status_code == status
    if message:
        assert message in response.content.decode()
        assert policy().payout_instructions == before
        assert not AuditEvent.objects.filter(
            action="settings.reward_instructions"
        ).exists()
    else:
        assert policy().payout_instructions == {
            "en": "Bring the code to the cashier.",
            "zh-hans": zh,
        }
        event = AuditEvent.objects.get(action="settings.reward_instructions")
        assert event.detail["from"] == before
