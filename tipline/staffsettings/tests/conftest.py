"""Shared fixtures of the reward pages' tests: a signed-in browser-like client,
an administrator, and a way to put paid rewards on the record for the records
page and its export. The reward cast and the approved offer (approver, finance,
offer, ...) come from tipline/rewards/tests/fixtures.py, a plugin of the root
conftest.py."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.test import Client
from django.utils import timezone

from testkit.helpers import make_staff, staff_login
from tipline.accounts.models import Role
from tipline.rewards import services
from tipline.rewards.models import Offer, Proposal, Share


@pytest.fixture
def signed_in():
    """``signed_in(user)``: a client signed in as ``user`` that enforces CSRF."""

    def sign_in_as(user):
        client = Client(enforce_csrf_checks=True)
        staff_login(client, user)
        return client

    return sign_in_as


@pytest.fixture
def administrator(profile):
    return make_staff("root", "admins", role=Role.ADMINISTRATOR)


@pytest.fixture
def on_record(profile, owner, finance):
    """``on_record(tier_slug, amount, paid_on=..., accepted_at=...)``: an
    approved reward with one offer, paid on ``paid_on`` (or only accepted at
    ``accepted_at``), as the services leave it: for the export, which reads
    what many cases and years left behind."""
    policy = services.policy_for("national-security")

    def record(
        tier_slug: str,
        amount: int,
        *,
        paid_on: date | None = None,
        accepted_at: datetime | None = None,
    ) -> Offer:
        tier = policy.tiers.get(slug=tier_slug)
        now = timezone.now()
        proposal = Proposal.objects.create(
            policy=policy,
            tier=tier,
            amount=amount,
            currency=tier.currency,
            justification_encrypted=b"",
            proposed_by=owner,
            proposed_at=now,
            status="approved",
            decided_at=now,
            year=now.year,
        )
        share = Share.objects.create(proposal=proposal, amount=amount)
        return Offer.objects.create(
            share=share,
            amount=amount,
            currency=tier.currency,
            status="paid" if paid_on else "accepted",
            offered_at=now,
            answer_by=now,
            answered_at=accepted_at or now,
            paid_at=paid_on,
            paid_by=finance if paid_on else None,
            method="cash" if paid_on else "",
        )

    return record
