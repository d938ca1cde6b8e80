"""Adding and removing reward tiers in Settings -> Rewards: a new tier comes
last and passes the policy's rules; a tier a proposal uses stays; positions stay
1, 2, 3...; every change and every refusal is audited."""

import pytest

from testkit.helpers import post_form
from tipline.audit.models import AuditEvent
from tipline.profiles.loader import load_profile
from tipline.rewards import services
from tipline.rewards.models import Tier
from tipline.rewards.policies import TierData
from tipline.rewards.services import RewardRefused

SETTINGS = "/staff/settings/rewards/"

pytestmark = pytest.mark.django_db


def policy(slug="national-security"):
    return services.policy_for(slug)


def add_url(slug="national-security"):
    return f"/staff/settings/rewards/{policy(slug).pk}/tiers/"


def tier_form(profile="national-security", **changes):
    prefix = f"add-tier-{policy(profile).pk}"
    data = {
        "slug": "grade-5",
        "name_en": "Material reward, grade 5",
        "name_zh": "物质奖励第五档",
        "criteria_en": "A clue of lasting value.",
        "criteria_zh": "线索具有长期价值。",
        "currency": "CNY",
        "min_amount": "100.00",
        "max_amount": "",
        **changes,
    }
    return {f"{prefix}-{key}": value for key, value in data.items()}


def positions(slug="national-security"):
    return list(policy(slug).tiers.values_list("slug", "position"))


def test_administrators_add_an_open_ended_tier_last(administrator, signed_in):
    client = signed_in(administrator)
    before = positions()

    response = post_form(client, SETTINGS, add_url(), tier_form(), follow=True)

    assert response.redirect_chain == [(SETTINGS, 302)]
    page = response.content.decode()
    assert "Tier added." in page
    assert "Material reward, grade 5" in page
    assert "100.00 CNY or more" in page
    assert positions() == [*before, ("grade-5", len(before) + 1)]
    added = Tier.objects.get(slug="grade-5")
    assert (added.min_amount, added.max_amount, added.currency) == (10_000, None, "CNY")
    assert added.name == {"en": "Material reward, grade 5", "zh-hans": "物质奖励第五档"}
    event = AuditEvent.objects.get(action="rewards.tier_added")
    assert (event.actor, event.target) == (administrator, f"tier:{added.pk}")
    assert event.detail["tier"]["slug"] == "grade-5"


def test_a_commendation_tier_is_added_to_a_profile_without_money(
    administrator, signed_in
):
    load_profile("whistleblowing")
    client = signed_in(administrator)
    data = tier_form(
        "whistleblowing",
        slug="thanks",
        commendation_only="on",
        currency="",
        min_amount="5",
    )

    response = post_form(client, SETTINGS, add_url("whistleblowing"), data)

    assert response.status_code == 302
    added = policy("whistleblowing").tiers.get(slug="thanks")
    assert (added.commendation_only, added.min_amount, added.currency) == (
        True,
        0,
        "",
    )
    assert added.position == len(positions("whistleblowing"))


@pytest.mark.parametrize(
    ("changes", "message", "audited"),
    [
        ({"slug": "grade-1"}, "already has a tier with that short name", True),
        ({"slug": "Grade 5"}, "Enter a valid “slug”", False),
        ({"slug": "Grade-5"}, "Use only lower-case letters", False),
        ({"slug": "x" * 41}, "at most 40 characters", False),
        ({"currency": "USD"}, "This policy pays in CNY", True),
        ({"currency": "XYZ"}, "Enter a currency code such as CNY", False),
        ({"currency": ""}, "Enter a currency code such as CNY", False),
        ({"min_amount": "-1"}, "no sign or separators", False),
        ({"min_amount": "1.005"}, "at most 2 decimal places", False),
        ({"min_amount": "500", "max_amount": "20"}, "maximum is below", False),
        ({"name_zh": "  "}, "This field is required.", False),
        ({"criteria_en": "x" * 2001}, "at most 2000 characters", False),
    ],
    ids=[
        "slug-taken",
        "slug-space",
        "slug-upper",
        "slug-long",
        "other-currency",
        "unknown-currency",
        "no-currency",
        "negative",
        "decimals",
        "max-below-min",
        "no-chinese-name",
        "long-criteria",
    ],
)
def test_a_bad_tier_is_refused_and_nothing_is_added(
    administrator, signed_in, changes, message, audited
):
    client = signed_in(administrator)
    before = positions()

    response = post_form(client, SETTINGS, add_url(), tier_form(**changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert positions() == before
    refusals = AuditEvent.objects.filter(action="rewards.tier_added")
    assert [e.detail.get("refused") is not None for e in refusals] == (
        [True] if audited else []
    )
    retry = post_form(client, SETTINGS, add_url(), tier_form())
    assert retry.status_code == 302
    assert positions()[-1] == ("grade-5", len(before) + 1)


def test_the_service_refuses_a_tier_the_policy_rules_forbid(administrator):
    hostile = TierData(
        slug="grade-6",
        position=1,
        name={"en": "Six", "zh-hans": "六"},
        criteria={"en": "Six.", "zh-hans": "六。"},
        min_amount=-5,
        currency="CNY",
    )

    with pytest.raises(RewardRefused, match="must not be negative"):
        services.add_tier(user=administrator, policy=policy(), tier=hostile)

    assert not Tier.objects.filter(slug="grade-6").exists()
    event = AuditEvent.objects.get(action="rewards.tier_added")
    assert event.detail == {"refused": "invalid_tier"}


def test_an_unused_tier_is_removed_and_the_others_move_up(administrator, signed_in):
    client = signed_in(administrator)
    grade_2 = policy().tiers.get(slug="grade-2")
    url = f"/staff/settings/rewards/tiers/{grade_2.pk}/remove/"

    response = post_form(client, SETTINGS, url, {}, follow=True)

    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "Tier removed." in response.content.decode()
    assert positions() == [
        ("commendation", 1),
        ("grade-1", 2),
        ("grade-3", 3),
        ("grade-4", 4),
    ]
    event = AuditEvent.objects.get(action="rewards.tier_removed")
    assert (event.actor, event.target) == (administrator, f"tier:{grade_2.pk}")
    assert event.detail["tier"]["slug"] == "grade-2"


def test_a_tier_a_proposal_uses_is_kept(offer, administrator, signed_in):
    client = signed_in(administrator)
    grade_1 = policy().tiers.get(slug="grade-1")
    page = client.get(SETTINGS).content.decode()
    assert "Proposals use this tier, so it cannot be removed." in page
    url = f"/staff/settings/rewards/tiers/{grade_1.pk}/remove/"
    assert url not in page
    before = positions()

    response = client.post(url, {"csrfmiddlewaretoken": _csrf(client)})

    assert response.status_code == 400
    assert "Proposals use this tier, so it cannot be removed. Edit its texts" in (
        response.content.decode()
    )
    assert positions() == before
    event = AuditEvent.objects.get(action="rewards.tier_removed")
    assert event.detail == {"refused": "in_use"}


def test_others_cannot_add_or_remove_tiers(offer, finance, approver, owner, signed_in):
    grade_4 = policy().tiers.get(slug="grade-4")
    before = positions()
    for user in (finance, approver, owner):
        client = signed_in(user)
        csrf = _csrf(client)
        added = client.post(add_url(), {"csrfmiddlewaretoken": csrf, **tier_form()})
        removed = client.post(
            f"/staff/settings/rewards/tiers/{grade_4.pk}/remove/",
            {"csrfmiddlewaretoken": csrf},
        )
        assert [added.status_code, removed.status_code] == [404, 404]
    assert positions() == before
    assert not AuditEvent.objects.filter(action__startswith="rewards.tier").exists()


def test_the_budget_year_is_a_full_width_text_field(administrator, signed_in):
    page = signed_in(administrator).get(SETTINGS).content.decode()

    prefix = f"budget-{policy().pk}"
    assert f'<input type="text" name="{prefix}-year"' in page
    assert 'inputmode="numeric"' in page


def _csrf(client):
    return client.get("/staff/").cookies["csrftoken"].value
