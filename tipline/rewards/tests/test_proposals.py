"""Proposals on substantiated cases and their four-eyes approval (issue 14, points
3 and 4), through the services the pages call."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from testkit.helpers import make_staff
from tipline.accounts.models import LoginFailure, Role
from tipline.accounts.services import default_team
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case
from tipline.cases.workflow import decide_link
from tipline.rewards import selectors, services
from tipline.rewards.models import Proposal, Share
from tipline.rewards.services import RewardRefused

from .conftest import close_case, fresh_code, key_of

YEAR = timezone.localdate().year


def grade(slug="grade-1"):
    return services.policy_for("national-security").tiers.get(slug=slug)


def propose(case, user, tier=None, amount=500_000, justification="Led to an arrest."):
    return services.propose(
        case=case,
        user=user,
        private_key=key_of(user),
        tier=tier or grade(),
        amount=amount,
        justification=justification,
    )


def decide(proposal, user, approve=True, reason="Checked the file.", code=None):
    return services.decide(
        proposal=proposal,
        user=user,
        private_key=key_of(user),
        approve=approve,
        reason=reason,
        code=fresh_code(user) if code is None else code,
    )


def budget(amount, year=YEAR, user=None):
    policy = services.policy_for("national-security")
    admin = user or make_staff("admin", "admins", role=Role.ADMINISTRATOR)
    services.set_budget(user=admin, policy=policy, year=year, amount=amount)
    return policy


def refusals(action):
    events = AuditEvent.objects.filter(action=action).order_by("pk")
    return [e.detail["refused"] for e in events if "refused" in e.detail]


@pytest.mark.django_db
def test_a_proposal_is_encrypted_with_the_case_and_approved_by_someone_else(
    substantiated, owner, approver
):
    policy = budget(1_000_000)

    proposal = propose(substantiated, owner, justification="Named the handler.")

    assert proposal.status == "open"
    assert b"Named the handler" not in bytes(proposal.justification_encrypted)
    plain = selectors.read_proposal(
        proposal=proposal, user=approver, private_key=key_of(approver)
    )
    assert plain.justification == "Named the handler."
    assert list(Share.objects.values_list("case_id", "amount")) == [
        (substantiated.pk, 500_000)
    ]

    decide(proposal, approver, reason="Confirmed with the unit.")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.year) == (
        "approved",
        approver,
        YEAR,
    )
    assert b"Confirmed" not in bytes(proposal.reason_encrypted)
    assert selectors.budget_line(policy, YEAR).remaining == 500_000
    assert AuditEvent.objects.filter(action="reward.approve").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "outcome", ["unfounded", "malicious", "duplicate", "out_of_scope", "referred"]
)
def test_a_proposal_on_any_other_outcome_is_refused_and_audited(
    submit_report, owner, outcome
):
    submit_report({"what_happened": "Someone filmed the depot."})
    case = close_case(Case.objects.get(), owner, outcome)

    with pytest.raises(RewardRefused, match="closed as substantiated"):
        propose(case, owner)

    assert not Proposal.objects.exists()
    assert refusals("reward.propose") == ["not_substantiated"]


@pytest.mark.django_db
def test_a_proposal_on_an_open_case_is_refused(submit_report, owner):
    submit_report({"what_happened": "Someone filmed the depot."})

    with pytest.raises(RewardRefused, match="closed as substantiated"):
        propose(Case.objects.get(), owner)
    assert not Proposal.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tier", "amount"),
    [
        ("grade-1", 1_000_001),
        ("grade-2", 999_999),
        ("grade-1", -1),
        ("commendation", 1),
        ("grade-4", 9_999_999),
    ],
)
def test_an_amount_outside_the_tier_is_refused(substantiated, owner, tier, amount):
    with pytest.raises(RewardRefused, match="outside the tier"):
        propose(substantiated, owner, tier=grade(tier), amount=amount)

    assert not Proposal.objects.exists()
    assert refusals("reward.propose") == ["outside_tier"]


@pytest.mark.django_db
def test_an_open_ended_tier_takes_large_amounts(substantiated, owner):
    proposal = propose(substantiated, owner, tier=grade("grade-4"), amount=10**12)

    assert proposal.amount == 10**12


@pytest.mark.django_db
def test_a_second_open_proposal_is_refused(substantiated, owner, approver):
    propose(substantiated, owner)

    with pytest.raises(RewardRefused, match="already has a reward proposal"):
        propose(substantiated, approver)

    assert Proposal.objects.count() == 1
    assert refusals("reward.propose") == ["second_proposal"]


@pytest.mark.django_db
def test_someone_who_cannot_read_the_case_cannot_propose(substantiated, outsider):
    with pytest.raises(RewardRefused, match="cannot read this case"):
        propose(substantiated, outsider)
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_a_tier_of_another_policy_is_refused(substantiated, owner):
    other = services.policy_for("whistleblowing").tiers.get()

    with pytest.raises(RewardRefused, match="tier of this case's policy"):
        propose(substantiated, owner, tier=other, amount=0)


@pytest.mark.django_db
def test_self_approval_is_impossible_even_for_an_approver(substantiated, approver):
    budget(1_000_000)
    proposal = propose(substantiated, approver)

    with pytest.raises(RewardRefused, match="someone else must decide"):
        decide(proposal, approver)

    proposal.refresh_from_db()
    assert proposal.status == "open"
    assert refusals("reward.decide") == ["own_proposal"]


@pytest.mark.django_db
def test_only_rewards_approvers_decide(substantiated, owner, colleague):
    budget(1_000_000)
    proposal = propose(substantiated, owner)
    supervisor = make_staff("chief", default_team().slug, role=Role.SUPERVISOR)

    for user in (colleague, supervisor):
        with pytest.raises(RewardRefused, match="Only a rewards approver"):
            decide(proposal, user, code="000000" if user == colleague else None)
    proposal.refresh_from_db()
    assert proposal.status == "open"


@pytest.mark.django_db
def test_a_second_decision_is_impossible(
    substantiated, owner, approver, second_approver
):
    budget(1_000_000)
    proposal = propose(substantiated, owner)
    decide(proposal, approver)

    for approve in (True, False):
        with pytest.raises(RewardRefused, match="already been decided"):
            decide(proposal, second_approver, approve=approve)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("approved", approver)
    assert refusals("reward.decide") == ["already_decided", "already_decided"]


@pytest.mark.django_db
def test_a_wrong_or_reused_code_is_refused_and_counted(substantiated, owner, approver):
    budget(1_000_000)
    proposal = propose(substantiated, owner)
    code = fresh_code(approver)
    decide(proposal, approver, approve=False, code=code)
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    other = propose(substantiated, owner)

    for wrong in (
        code,
        "123456",
        "",
        "12345x",
        "99999999",
    ):  # the used code, then bad ones
        with pytest.raises(RewardRefused, match="code is wrong"):
            services.decide(
                proposal=other,
                user=approver,
                private_key=key_of(approver),
                approve=True,
                reason="ok",
                code=wrong,
            )

    other.refresh_from_db()
    assert other.status == "open"
    assert LoginFailure.objects.filter(user=approver, kind="code").count() == 5
    assert refusals("reward.decide") == ["wrong_code"] * 5
    # Locked now: even the right code waits.
    with pytest.raises(RewardRefused, match="Too many wrong codes"):
        decide(other, approver)
    other.refresh_from_db()
    assert other.status == "open"


@pytest.mark.django_db
def test_an_approval_beyond_the_tier_is_impossible(substantiated, owner, approver):
    budget(5_000_000)
    proposal = propose(substantiated, owner, amount=900_000)
    # The administrator narrows the tier after the proposal was made.
    tier = grade()
    services.update_tier(
        user=owner,
        tier=tier,
        name=tier.name,
        criteria=tier.criteria,
        min_amount=0,
        max_amount=800_000,
    )

    with pytest.raises(RewardRefused, match="no longer within the tier"):
        decide(proposal, approver)
    proposal.refresh_from_db()
    assert proposal.status == "open"


@pytest.mark.django_db
@pytest.mark.parametrize("set_budget", [None, 499_999])
def test_an_approval_beyond_the_budget_is_impossible(
    substantiated, owner, approver, set_budget
):
    if set_budget is not None:
        budget(set_budget)
    proposal = propose(substantiated, owner, amount=500_000)

    with pytest.raises(RewardRefused, match="more than what is left"):
        decide(proposal, approver)

    proposal.refresh_from_db()
    assert proposal.status == "open"
    assert refusals("reward.decide") == ["over_budget"]
    # A rejection spends nothing and needs no budget.
    decide(proposal, approver, approve=False)
    proposal.refresh_from_db()
    assert proposal.status == "rejected"


@pytest.mark.django_db
def test_a_commendation_needs_no_budget(substantiated, owner, approver):
    proposal = propose(substantiated, owner, tier=grade("commendation"), amount=0)

    decide(proposal, approver)

    proposal.refresh_from_db()
    assert proposal.status == "approved"


@pytest.mark.django_db
def test_an_approver_who_cannot_read_the_case_cannot_decide(substantiated, owner):
    budget(1_000_000)
    proposal = propose(substantiated, owner)
    elsewhere = make_staff("far", "elsewhere", role=Role.REWARDS_APPROVER)

    with pytest.raises(RewardRefused, match="cannot read this case"):
        decide(proposal, elsewhere)
    assert (
        selectors.read_proposal(
            proposal=proposal, user=elsewhere, private_key=key_of(elsewhere)
        )
        is None
    )


@pytest.mark.django_db
def test_linked_duplicates_reward_the_earliest_contributing_report(
    submit_report, owner
):
    for text in ("First: a van at the gate.", "Second: the same van.", "Third."):
        submit_report({"what_happened": text})
    first, second, third = Case.objects.order_by("pk")
    for case in (second, third):
        case.refresh_from_db()
        decide_link(
            case=case, user=owner, other=first, decision="link", version=case.version
        )
    close_case(first, owner, "duplicate")
    close_case(second, owner, "unfounded")  # linked, but did not contribute
    third = close_case(third, owner)

    proposal = propose(third, owner, amount=600_000)

    assert list(proposal.shares.values_list("case_id", "amount")) == [
        (first.pk, 600_000)
    ]


@pytest.mark.django_db
def test_a_split_policy_shares_in_stated_parts(submit_report, owner):
    policy = services.policy_for("national-security")
    policy.share_rule, policy.split_shares = "split", [70, 30]
    policy.save()
    for text in ("First: a drone over the base.", "Second: the drone again."):
        submit_report({"what_happened": text})
    first, second = Case.objects.order_by("pk")
    second.refresh_from_db()
    decide_link(
        case=second, user=owner, other=first, decision="link", version=second.version
    )
    close_case(first, owner, "duplicate")
    second = close_case(second, owner)

    proposal = propose(second, owner, amount=100_001)

    assert list(proposal.shares.values_list("case_id", "amount")) == [
        (first.pk, 70_001),
        (second.pk, 30_000),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_cannot_both_spend_the_last_of_the_budget(
    submit_report, owner, approver, second_approver
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite takes one writer at a time")
    for text in ("An approach at the fair.", "A second approach."):
        submit_report({"what_happened": text})
    cases = [close_case(case, owner) for case in Case.objects.order_by("pk")]
    budget(800_000)
    first, second = (propose(case, owner, amount=500_000) for case in cases)
    codes = {
        approver.pk: fresh_code(approver),
        second_approver.pk: fresh_code(second_approver),
    }
    keys = {user.pk: key_of(user) for user in (approver, second_approver)}
    barrier = threading.Barrier(2)
    results = []

    def run(proposal, user):
        try:
            barrier.wait()
            services.decide(
                proposal=proposal,
                user=user,
                private_key=keys[user.pk],
                approve=True,
                reason="ok",
                code=codes[user.pk],
            )
            results.append("approved")
        except RewardRefused as refused:
            results.append(refused.cause)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=pair)
        for pair in ((first, approver), (second, second_approver))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["approved", "over_budget"]
    assert Proposal.objects.filter(status="approved").count() == 1
    policy = services.policy_for("national-security")
    assert services.approved_total(policy=policy, year=YEAR) == 500_000


@pytest.mark.django_db
def test_a_destroyed_case_leaves_its_approved_reward_counted(
    substantiated, owner, approver
):
    from datetime import timedelta

    from tipline.cases import retention

    policy = budget(1_000_000)
    proposal = propose(substantiated, owner)
    decide(proposal, approver)
    Case.objects.filter(pk=substantiated.pk).update(
        purge_after=timezone.now() - timedelta(days=1)
    )

    assert retention.purge_due().cases == 1

    proposal.refresh_from_db()
    assert not Case.objects.exists()
    assert (proposal.case, proposal.status, proposal.amount) == (
        None,
        "approved",
        500_000,
    )
    assert selectors.budget_line(policy, YEAR).remaining == 500_000
    assert proposal.shares.get().case is None
