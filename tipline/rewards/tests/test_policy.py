"""Reward policies as data: the shipped defaults, their checks, tiers and budgets."""

import pytest

from tipline.audit.models import AuditEvent
from tipline.rewards import currencies, services
from tipline.rewards.models import Budget, Policy, Tier
from tipline.rewards.policies import PolicyInvalid, parse_policy, read_policy_file
from tipline.rewards.selectors import budget_line

ZH = {"en": "A clue", "zh-hans": "线索"}


def tier(**fields):
    return {"slug": "t", "name": ZH, "criteria": ZH, "currency": "CNY", **fields}


@pytest.mark.django_db
def test_national_security_ships_the_2022_grades_and_a_commendation():
    policy = services.policy_for("national-security")

    tiers = list(policy.tiers.all())
    assert [(t.slug, t.min_amount, t.max_amount, t.currency) for t in tiers] == [
        ("commendation", 0, None, ""),
        ("grade-1", 0, 1_000_000, "CNY"),
        ("grade-2", 1_000_000, 3_000_000, "CNY"),
        ("grade-3", 3_000_000, 10_000_000, "CNY"),
        ("grade-4", 10_000_000, None, "CNY"),
    ]
    assert tiers[0].commendation_only is True
    assert tiers[4].name["zh-hans"] == "物质奖励第四档（人民币十万元以上）"
    assert policy.share_rule == "earliest"
    assert policy.award_schedule == {"substantiated": 10}


@pytest.mark.django_db
def test_whistleblowing_ships_commendation_only():
    policy = services.policy_for("whistleblowing")

    assert [(t.slug, t.commendation_only) for t in policy.tiers.all()] == [
        ("commendation", True)
    ]
    assert services.policy_currency(policy) == ""


@pytest.mark.django_db
def test_seeding_happens_once_and_keeps_later_edits():
    policy = services.policy_for("national-security")
    Tier.objects.filter(policy=policy, slug="grade-1").update(max_amount=500_000)

    again = services.policy_for("national-security")

    assert again.pk == policy.pk
    assert Policy.objects.count() == 1
    assert Tier.objects.filter(policy=policy).count() == 5
    assert Tier.objects.get(policy=policy, slug="grade-1").max_amount == 500_000
    assert AuditEvent.objects.filter(action="rewards.policy_seeded").count() == 1


@pytest.mark.django_db
def test_a_profile_without_a_data_file_gets_an_empty_policy():
    assert not services.policy_for("no-such-profile").tiers.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"tiers": [tier(min_amount=-1)]}, "tier t: min_amount: must not be negative"),
        ({"tiers": [tier(min_amount=10, max_amount=5)]}, "max_amount is below"),
        ({"tiers": [tier(currency="XYZ")]}, "unknown currency 'XYZ'"),
        ({"tiers": [tier(currency="cny")]}, "unknown currency 'cny'"),
        ({"tiers": [tier(min_amount=10.5)]}, "must be a whole number"),
        ({"tiers": [tier(max_amount=1e6)]}, "must be a whole number"),
        ({"tiers": [tier(min_amount="100")]}, "must be a whole number"),
        ({"tiers": [tier(min_amount=True)]}, "must be a whole number"),
        ({"tiers": [tier(name={"en": "only English"})]}, "needs exactly en, zh-hans"),
        ({"tiers": [tier(criteria={"en": " ", "zh-hans": "x"})]}, "needs some text"),
        ({"tiers": [tier(), tier()]}, "two tiers have the same slug"),
        (
            {"tiers": [tier(), tier(slug="u", currency="EUR")]},
            "one currency per policy",
        ),
        (
            {"tiers": [tier(commendation_only=True)]},
            "a commendation carries no amount",
        ),
        ({"tiers": [tier(colour="red")]}, "unknown fields colour"),
        ({"share_rule": "loudest"}, "share_rule: must be one of"),
        ({"share_rule": "split", "split_shares": [60, 30]}, "adding up to 100"),
        ({"share_rule": "split", "split_shares": [100.0]}, "whole number"),
        ({"share_rule": "earliest", "split_shares": [50, 50]}, "only with"),
        ({"award_schedule": {"substantiated": 2.5}}, "whole number"),
    ],
)
def test_bad_policies_are_refused_with_a_clear_error(raw, message):
    with pytest.raises(PolicyInvalid, match=message):
        parse_policy(raw)


def test_a_broken_data_file_is_named_in_the_error(tmp_path):
    (tmp_path / "broken.toml").write_text("[[tiers]]\nslug = 'x'\nmin_amount = 1.5\n")

    with pytest.raises(
        PolicyInvalid, match=r"broken.toml: tier x: name: needs exactly"
    ):
        read_policy_file("broken", tmp_path)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", "CNY", 1250),
        ("12.5", "CNY", 1250),
        ("100000", "CNY", 10_000_000),
        ("0", "CNY", 0),
        ("500", "JPY", 500),
        ("1.234", "KWD", 1234),
    ],
)
def test_decimal_strings_convert_exactly(text, currency, minor):
    assert currencies.to_minor(text, currency) == minor
    assert currencies.to_minor(currencies.to_major(minor, currency), currency) == minor


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("12.345", "CNY"),
        ("1.5", "JPY"),
        ("-5", "CNY"),
        ("1e3", "CNY"),
        ("1,000", "CNY"),
        (" 5", "CNY"),
        ("", "CNY"),
        ("0x10", "CNY"),
        ("٣", "CNY"),
        ("1" * 16, "CNY"),
        ("NaN", "CNY"),
        ("5.", "CNY"),
    ],
)
def test_bad_amount_strings_are_refused(text, currency):
    with pytest.raises(currencies.BadAmount):
        currencies.to_minor(text, currency)


@pytest.mark.django_db
def test_budgets_are_audited_and_the_remaining_budget_is_shown(owner):
    policy = services.policy_for("national-security")

    services.set_budget(user=owner, policy=policy, year=2026, amount=50_000_00)
    services.set_budget(user=owner, policy=policy, year=2026, amount=60_000_00)

    line = budget_line(policy, 2026)
    assert (line.budget, line.approved, line.remaining) == (6_000_000, 0, 6_000_000)
    assert line.currency == "CNY"
    events = AuditEvent.objects.filter(action="settings.reward_budget")
    assert [e.detail for e in events.order_by("pk")] == [
        {"year": 2026, "from": None, "to": 5_000_000, "currency": "CNY"},
        {"year": 2026, "from": 5_000_000, "to": 6_000_000, "currency": "CNY"},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [-1, 1.5, True])
def test_a_bad_budget_is_refused(owner, amount):
    policy = services.policy_for("national-security")

    with pytest.raises(PolicyInvalid, match="A budget is a whole amount, not negative"):
        services.set_budget(user=owner, policy=policy, year=2026, amount=amount)
    assert not Budget.objects.exists()


@pytest.mark.django_db
def test_a_commendation_only_policy_has_no_budget(owner):
    policy = services.policy_for("whistleblowing")

    with pytest.raises(PolicyInvalid, match="pays no money"):
        services.set_budget(user=owner, policy=policy, year=2026, amount=1)


@pytest.mark.django_db
def test_tier_edits_are_checked_and_audited(owner):
    policy = services.policy_for("national-security")
    grade = policy.tiers.get(slug="grade-2")

    with pytest.raises(PolicyInvalid, match="max_amount is below"):
        services.update_tier(
            user=owner,
            tier=grade,
            name=grade.name,
            criteria=grade.criteria,
            min_amount=3_000_000,
            max_amount=1_000_000,
        )
    grade.refresh_from_db()
    assert grade.min_amount == 1_000_000

    services.update_tier(
        user=owner,
        tier=grade,
        name=grade.name,
        criteria=grade.criteria,
        min_amount=1_000_000,
        max_amount=2_500_000,
    )

    grade.refresh_from_db()
    assert grade.max_amount == 2_500_000
    event = AuditEvent.objects.get(action="settings.reward_tier")
    assert event.detail == {
        "policy": "national-security",
        "changed": {"max_amount": {"from": 3_000_000, "to": 2_500_000}},
    }
