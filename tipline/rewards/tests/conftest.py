"""A substantiated case, its readers and a rewards approver, for the reward tests."""

from __future__ import annotations

import pytest
from django.utils import timezone

from testkit.helpers import PASSWORD, enrol_authenticator, make_staff
from tipline.accounts.models import Role, SecondFactor
from tipline.accounts.services import default_team, unlock_private_key
from tipline.cases.models import Case
from tipline.cases.workflow import change_status
from tipline.rewards import services


def key_of(user):
    return unlock_private_key(user=user, password=PASSWORD)


def fresh_code(user):
    """A code the approver's app shows now, usable once more in this 30 s step
    (tests decide more often than that)."""
    from testkit.helpers import AUTHENTICATORS, authenticator_code

    if user.pk not in AUTHENTICATORS:
        enrol_authenticator(user)
    SecondFactor.objects.filter(user=user).update(last_step=-1)
    return authenticator_code(AUTHENTICATORS[user.pk])


@pytest.fixture
def approver(profile):
    return make_staff("approver", default_team().slug, role=Role.REWARDS_APPROVER)


@pytest.fixture
def second_approver(profile):
    return make_staff("approver2", default_team().slug, role=Role.REWARDS_APPROVER)


def close_case(case, user, outcome="substantiated"):
    case.refresh_from_db()
    change_status(
        case=case, user=user, status="closed", outcome=outcome, version=case.version
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def substantiated(submit_report, owner, approver, second_approver):
    submit_report({"what_happened": "A man offered money for the gate codes."})
    case = Case.objects.order_by("pk").last()
    return close_case(case, owner)


@pytest.fixture
def finance(profile):
    return make_staff("fiona", "finance", role=Role.FINANCE)


@pytest.fixture
def offer(substantiated, owner, approver):
    policy = services.policy_for("national-security")
    admin = make_staff("admin", "admins", role=Role.ADMINISTRATOR)
    year = timezone.localdate().year
    services.set_budget(user=admin, policy=policy, year=year, amount=1_000_000)
    proposal = services.propose(
        case=substantiated,
        user=owner,
        private_key=key_of(owner),
        tier=policy.tiers.get(slug="grade-1"),
        amount=300_000,
        justification="Named the handler.",
    )
    services.decide(
        proposal=proposal,
        user=approver,
        private_key=key_of(approver),
        approve=True,
        reason="Confirmed.",
        code=fresh_code(approver),
    )
    return services.offer_for(substantiated)
