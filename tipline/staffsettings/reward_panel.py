"""The reward section of the case page (issue 14, points 2 to 6): whether the
reporter asked to be considered, the proposals and their decisions, the offer's
state, and what the reporter gave for the payout, if anything (encrypted with
the case, so shown only to someone who can read it)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tipline.accounts.decorators import StaffRequest
from tipline.cases.keys import data_key_for
from tipline.cases.models import Case, CaseKey, Outcome, Status
from tipline.rewards import claims, selectors
from tipline.rewards.models import ProposalStatus


def reward_panel(request: StaffRequest, case: Case, private_key: bytes) -> SafeString:
    proposals = list(selectors.proposals_on(case))
    substantiated = (
        case.status == Status.CLOSED and case.outcome == Outcome.SUBSTANTIATED
    )
    if not (case.reward_wish or substantiated or proposals):
        return SafeString("")
    offer = claims.offer_for(case)
    identity = None
    readable = CaseKey.objects.filter(case=case, user=request.user).exists()
    if offer is not None and offer.identity_encrypted is not None and readable:
        data_key = data_key_for(case=case, user=request.user, private_key=private_key)
        identity = claims.read_identity(offer, data_key)
    open_or_approved = any(
        p.status in (ProposalStatus.OPEN, ProposalStatus.APPROVED) for p in proposals
    )
    context = {
        "case": case,
        "proposals": proposals,
        "offer": offer,
        "offer_expired": offer is not None and claims.is_expired(offer),
        "identity": identity,
        "may_propose": substantiated and not open_or_approved,
    }
    return render_to_string("staffsettings/_case_reward.html", context, request=request)
