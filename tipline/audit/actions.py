"""What each audit action code means, in words staff can read.

The log stores stable codes (``case.status``); pages show these labels. A test
(tipline/audit/tests/test_actions.py) finds every code the source can record and
fails if one has no label here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

LABELS: dict[str, Promise] = {
    "login": _("Signed in"),
    "login.failed": _("Sign-in failed"),
    "login.throttled": _("Sign-in refused: too many attempts"),
    "login.codes_locked": _("Sign-in codes locked after repeated wrong codes"),
    "logout": _("Signed out"),
    "password.changed": _("Changed their password"),
    "2fa.enrolled": _("Set up an authenticator app"),
    "2fa.recovery_code_used": _("Signed in with a recovery code"),
    "user.created": _("Staff account created"),
    "user.team": _("Moved to another team"),
    "user.role": _("Role changed"),
    "user.deactivated": _("Staff account deactivated"),
    "user.reactivated": _("Staff account reactivated"),
    "user.sessions_ended": _("Every session of the account ended"),
    "user.originals.removed": _("Keys to original files removed"),
    "case.access.removed": _("Access that came with the team removed"),
    "report.received": _("Report received"),
    "message.reporter": _("Message from the reporter"),
    "message.staff": _("Sent a message to the reporter"),
    "note.add": _("Added an internal note"),
    "case.read": _("Opened the case"),
    "case.denied": _("Was refused access to the case"),
    "case.status": _("Changed the status"),
    "case.assign": _("Assigned the case"),
    "case.risk": _("Assessed the risk to the reporter"),
    "case.redact": _("Hid a detail from the working view"),
    "case.unredact": _("Showed a hidden detail again"),
    "case.grant": _("Gave a colleague access"),
    "case.grant.escrow": _("Access given with the escrow key"),
    "escrow.rotated": _("Escrow key replaced"),
    "case.revoke": _("Took a colleague's access away"),
    "case.link": _("Linked a related report"),
    "case.merge": _("Closed a duplicate into this case"),
    "case.dismiss": _("Dismissed a suggested duplicate"),
    "case.minimised": _("Removed what was derived from a knowingly false report"),
    "attachment.download": _("Downloaded a file"),
    "attachment.preview": _("Viewed a file's preview"),
    "attachment.original": _("Downloaded an original file"),
    "settings.routing": _("Changed routing"),
    "settings.priority": _("Changed priority rules"),
    "settings.retention": _("Changed a retention period"),
    "settings.site": _("Changed the site settings"),
    "settings.guardrail": _("Changed the guardrail's word lists"),
    "retention.purge": _("Destroyed cases past their retention"),
    "backup.written": _("Wrote a backup"),
    "backup.restored": _("Restored a backup"),
    "rewards.policy_seeded": _("Set up a profile's reward policy"),
    "settings.reward_tier": _("Changed a reward tier"),
    "settings.reward_budget": _("Changed a reward budget"),
    "settings.reward_instructions": _("Changed the payout instructions"),
    "rewards.tier_added": _("Added a reward tier"),
    "rewards.tier_removed": _("Removed a reward tier"),
    "reward.propose": _("Proposed a reward"),
    "reward.decide": _("Decided on a reward proposal"),
    "reward.approve": _("Approved a reward"),
    "reward.reject": _("Rejected a reward proposal"),
    "reward.accept": _("The reporter accepted a reward offer"),
    "reward.decline": _("The reporter declined a reward offer"),
    "reward.withdraw": _("Withdrew a reward offer"),
    "reward.payout": _("Recorded a reward payment"),
    "reward.exported": _("Exported the rewards paid (CSV)"),
    "certificate.issued": _("Issued a commendation certificate"),
    "certificate.verify_failed": _("A certificate check at /verify/ failed"),
    # Guidance pages (issue 15, point 1).
    "settings.guidance": _("Changed a guidance page"),
    "settings.guidance_restored": _("Restored a guidance page's default text"),
    # Issue 15, point 5: the public bulletins.
    "bulletin.created": _("Wrote a bulletin draft"),
    "bulletin.edited": _("Edited a bulletin"),
    "bulletin.published": _("Published a bulletin"),
    "bulletin.scheduled": _("Scheduled a bulletin"),
    "bulletin.unpublished": _("Unpublished a bulletin"),
    "bulletin.deleted": _("Deleted a bulletin draft"),
}

# Actions of the reporter: their entries carry the coarse time of the reporter's
# rows (the hour), and pages show them as that hour.
REPORTER_ACTIONS = frozenset(
    {"report.received", "message.reporter", "reward.accept", "reward.decline"}
)


def label(action: str) -> str:
    """The words for ``action``; the code itself for one without a label."""
    return str(LABELS.get(action, action))
