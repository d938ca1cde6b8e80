from django.urls import path

from tipline.staffsettings import (
    audit_log,
    bulletins,
    guardrails,
    guidance,
    retention,
    reward_payouts,
    reward_proposals,
    reward_records,
    rewards,
    routing,
    site,
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
    path("settings/site/", site.site_settings, name="site"),
    path("settings/site/identity/", site.set_identity, name="set_site_identity"),
    path("settings/site/channels/", site.set_channels, name="set_site_channels"),
    path("settings/site/logo/", site.set_logo, name="set_site_logo"),
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
    # Guidance pages (issue 15, point 1).
    path("settings/guidance/", guidance.guidance_list, name="guidance"),
    path(
        "settings/guidance/<slug:slug>/",
        guidance.edit_guidance,
        name="edit_guidance",
    ),
    path(
        "settings/guidance/<slug:slug>/preview/",
        guidance.preview_guidance,
        name="preview_guidance",
    ),
    path(
        "settings/guidance/<slug:slug>/restore/",
        guidance.restore_guidance,
        name="restore_guidance",
    ),
    path("bulletins/", bulletins.bulletin_list, name="bulletins"),
    path("bulletins/new/", bulletins.new_bulletin, name="new_bulletin"),
    path("bulletins/new/preview/", bulletins.preview_new, name="preview_new_bulletin"),
    path("bulletins/<int:bulletin_id>/", bulletins.edit_bulletin, name="edit_bulletin"),
    path(
        "bulletins/<int:bulletin_id>/preview/",
        bulletins.preview_bulletin,
        name="preview_bulletin",
    ),
    path(
        "bulletins/<int:bulletin_id>/publish/",
        bulletins.publish,
        name="publish_bulletin",
    ),
    path(
        "bulletins/<int:bulletin_id>/schedule/",
        bulletins.schedule,
        name="schedule_bulletin",
    ),
    path(
        "bulletins/<int:bulletin_id>/unpublish/",
        bulletins.unpublish,
        name="unpublish_bulletin",
    ),
    path(
        "bulletins/<int:bulletin_id>/delete/",
        bulletins.delete,
        name="delete_bulletin",
    ),
]
