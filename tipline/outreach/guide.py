"""The public guidance pages (issue 15, point 1): an administrator's Markdown text
per page, with the parts that come from live data rendered around it, so they
stay true when the settings change: the channels (Site), the categories and what
is not suspicious (the profile), the reward tiers (the rewards app), and the
deadlines and the statuses a reporter can see (the profile and the cases app)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from tipline.lib.i18n import localized
from tipline.lib.markdown import render as render_markdown
from tipline.lib.pagecache import shared_page
from tipline.profiles.loader import ensure_default_profile
from tipline.profiles.models import GuidanceSlug, Profile
from tipline.profiles.selectors import current_site, guidance_page, guidance_pages
from tipline.rewards.models import Policy, Tier
from tipline.rewards.policies import read_policy_file

# Each status the follow-up page can show, in the words it shows it
# (tipline.cases.models REPORTER_STATUS and REPORTER_OUTCOME: the same msgids, so
# the same translations), and what it means. outreach may not import the cases
# models (they reach accounts), so the words are repeated here, and
# tipline/outreach/tests/test_guidance.py checks that they match, one for one.
# A case closed as malicious shows the same words as an unfounded one.
CLOSED = _("Our work on this report has finished.")
STATUSES: tuple[tuple[Promise, Promise | None, Promise], ...] = (
    (
        _("Received. It has not been read yet."),
        None,
        _(
            "Your report is stored safely and is waiting for a member of staff to "
            "read it."
        ),
    ),
    (
        _("Received and read by our staff."),
        None,
        _(
            "A member of staff has read your report and is deciding what to do. "
            "They may send you a question on your follow-up page."
        ),
    ),
    (
        _("Being looked into."),
        None,
        _(
            "Staff are checking what you reported. This can take weeks or months, "
            "and you will not see every step."
        ),
    ),
    (
        CLOSED,
        _("Action has been taken on the basis of your report."),
        _(
            "What you reported was confirmed and acted on. We may not be able to "
            "say how."
        ),
    ),
    (
        CLOSED,
        _("We looked into it and found no grounds to act further."),
        _(
            "Staff found nothing that needed further action. This does not mean "
            "you were wrong to report."
        ),
    ),
    (
        CLOSED,
        _("It was handled together with another report."),
        _(
            "Someone else reported the same thing, and both reports were handled "
            "together."
        ),
    ),
    (
        CLOSED,
        _("It is outside what this service can handle."),
        _("This service cannot deal with it. Where it can, the reply says who can."),
    ),
    (
        CLOSED,
        _("It was passed to the authority responsible."),
        _(
            "Another authority deals with matters like this one and was given the "
            "information."
        ),
    ),
)


def statuses() -> list[tuple[str, str]]:
    """(what the follow-up page shows, what it means) for every status."""
    return [
        (f"{status} {outcome}" if outcome else str(status), str(meaning))
        for status, outcome, meaning in STATUSES
    ]


def _channels(profile: Profile) -> dict[str, Any]:
    site = current_site()
    lines = [
        {"number": line.get("number", ""), "hours": localized(line.get("hours"))}
        for line in site.phone_lines
        if isinstance(line, dict) and line.get("number")
    ]
    return {
        "site": site,
        "phone_lines": lines,
        "postal_address": localized(site.postal_address),
        "in_person": localized(site.in_person),
    }


def _categories(profile: Profile) -> dict[str, Any]:
    return {"categories": list(profile.categories.filter(active=True))}


def _reward_tiers(profile: Profile) -> dict[str, Any]:
    # The policy's row once an administrator has opened it; until then the
    # shipped default it will be seeded from (a public page writes nothing).
    policy = Policy.objects.filter(profile_slug=profile.slug).first()
    if policy is not None:
        tiers = list(policy.tiers.all())
    else:
        tiers = [Tier(**tier.__dict__) for tier in read_policy_file(profile.slug).tiers]
    return {
        "tiers": tiers,
        "pays_money": any(not tier.commendation_only for tier in tiers),
    }


def _next_steps(profile: Profile) -> dict[str, Any]:
    return {"statuses": statuses()}


def _nothing(profile: Profile) -> dict[str, Any]:
    return {}


LIVE_PARTS: dict[str, Callable[[Profile], dict[str, Any]]] = {
    GuidanceSlug.HOW_TO_REPORT: _channels,
    GuidanceSlug.WHAT_TO_REPORT: _categories,
    GuidanceSlug.WHAT_NOT_TO_REPORT: _nothing,
    GuidanceSlug.STAYING_SAFE: _nothing,
    GuidanceSlug.REWARDS: _reward_tiers,
    GuidanceSlug.WHAT_HAPPENS_NEXT: _next_steps,
}


@shared_page
@require_safe
def help_index(request: HttpRequest) -> HttpResponse:
    profile = ensure_default_profile()
    context = {"profile": profile, "pages": guidance_pages(profile)}
    return render(request, "outreach/guide/index.html", context)


@shared_page
@require_safe
def page(request: HttpRequest, slug: str) -> HttpResponse:
    profile = ensure_default_profile()
    shown = guidance_page(profile, slug)
    context = {
        "profile": profile,
        "page": shown,
        "body": render_markdown(shown.local_body),
        "pages": guidance_pages(profile),
        **LIVE_PARTS[slug](profile),
    }
    return render(request, f"outreach/guide/{slug}.html", context)
