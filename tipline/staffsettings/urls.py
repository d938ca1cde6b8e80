from django.urls import path

from tipline.staffsettings import (
    audit_log,
    guardrails,
    retention,
    reward_payouts,
    reward_proposals,
    reward_records,
    rewards,
    routing,
)

# The paths are those the pages had in their former apps, so bookmarks still work.
app_name = "staffsettings"
urlpatterns = [
    path("settings/triage/", routing.routing, name="routing"),
    path("settings/triage/route/", routing.set_route, name="set_route"),
    path("settings/triage/rules/", routing.add_rule, name="add_rule"),
    path(
        "settings/triage/rules/<int:rule_id>/delete/",
        routing.delete_rule,
        name="delete_rule",
    ),
    path("settings/retention/", retention.retention_settings, name="retention"),
    path("settings/guardrail/", guardrails.guardrail_settings, name="guardrail"),
    path("settings/rewards/", rewards.rewards_settings, name="rewards"),
    path(
        "settings/rewards/tiers/<int:tier_id>/",
        rewards.edit_tier,
        name="edit_reward_tier",
    ),
    path(
        "settings/rewards/<int:policy_id>/tiers/",
        rewards.add_tier,
        name="add_reward_tier",
    ),
    path(
        "settings/rewards/tiers/<int:tier_id>/remove/",
        rewards.remove_tier,
        name="remove_reward_tier",
    ),
    path(
        "settings/rewards/<int:policy_id>/budget/",
        rewards.set_budget,
        name="set_reward_budget",
    ),
    path(
        "settings/rewards/<int:policy_id>/instructions/",
        rewards.set_instructions,
        name="set_reward_instructions",
    ),
    path("rewards/", reward_proposals.proposals, name="reward_proposals"),
    path("rewards/payouts/", reward_payouts.payouts, name="reward_payouts"),
    path("rewards/records/", reward_records.records, name="reward_records"),
    path(
        "rewards/records/export.csv",
        reward_records.export,
        name="export_reward_records",
    ),
    path(
        "rewards/<int:proposal_id>/",
        reward_proposals.proposal,
        name="reward_proposal",
    ),
    path(
        "rewards/offers/<int:offer_id>/withdraw/",
        reward_proposals.withdraw,
        name="withdraw_offer",
    ),
    path(
        "cases/<int:case_id>/reward/",
        reward_proposals.propose,
        name="propose_reward",
    ),
    path("audit/", audit_log.browse, name="audit_log"),
]
