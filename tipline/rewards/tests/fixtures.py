"""Fixtures of the reward programme, for every test that needs them (a plugin
named in the root conftest.py): a substantiated case with its receipt, its readers, two
rewards approvers, a finance user and an approved offer."""

from __future__ import annotations

import pytest
from django.utils import timezone

from testkit.helpers import PASSWORD, enrol_authenticator, make_staff, receipt_in
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
def reported(submit_report, owner, approver, second_approver):
    """The receipt of a report routed to the owner's team (the approvers are in
    it when the report arrives, so they can read it)."""
    response = submit_report(
        {"what_happened": "A man offered money for the gate codes."}
    )
    return receipt_in(response.content.decode())


@pytest.fixture
def substantiated(reported, owner):
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
