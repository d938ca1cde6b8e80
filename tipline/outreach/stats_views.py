"""/statistics/ and its CSV files (issues 14 and 15): the published figures of
reports, cases and rewards, each chart followed by its table and its CSV.

The figures are computed once per month and language and cached: they change
only when a month ends (``tipline.cases.statistics`` publishes ended months,
``tipline.rewards.statistics`` ended years), so the page costs about what a
static file does. A reward payment recorded late for an ended year shows
within ``CACHE_SECONDS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from tipline.cases.statistics import MONTHS, CaseFigures, case_figures, ended_months
from tipline.lib.i18n import localized
from tipline.lib.pagecache import shared_page
from tipline.outreach.stats_tables import SLUGS, case_tables, reward_table, to_csv
from tipline.profiles.loader import ensure_default_profile
from tipline.profiles.models import Category, Profile
from tipline.rewards.statistics import RewardStatistics, reward_statistics

# The longest a cached page is kept, even within a month.
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Figures:
    profile: Profile
    categories: list[Category]
    cases: CaseFigures
    rewards: RewardStatistics
    names: dict[str, dict[str, str]]  # each programme's profile name, by language

    def titles(self) -> dict[str, str]:
        return {slug: str(localized(name)) for slug, name in self.names.items()}


@shared_page
@require_http_methods(["GET"])
def statistics(request: HttpRequest) -> HttpResponse:
    """Counts, medians and sums, small counts withheld (tipline/lib/disclosure.py
    says what and why)."""
    profile = ensure_default_profile()
    key = _key("page", profile.slug, get_language())
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "outreach/_statistics_body.html", _context(_figures(profile)), request=None
        )
        cache.set(key, body, _seconds_left())
    # Rendered by this view from the templates above, never from input.
    return render(request, "outreach/statistics.html", {"body": mark_safe(body)})


@shared_page
@require_http_methods(["GET"])
def statistics_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """One table of the page as CSV, headed in the active language."""
    if slug not in SLUGS:
        raise Http404
    figures = _figures(ensure_default_profile())
    if slug == "rewards":
        table = reward_table(figures.rewards, figures.titles(), figures.cases.min_count)
    else:
        table = next(
            t for t in case_tables(figures.cases, figures.categories) if t.slug == slug
        )
    response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
    last = figures.cases.months[-1]
    response["Content-Disposition"] = (
        f'attachment; filename="{slug}-to-{last:%Y-%m}.csv"'
    )
    return response


def _figures(profile: Profile) -> Figures:
    key = _key("figures", profile.slug, "")
    found: Figures | None = cache.get(key)
    if found is None:
        categories = list(profile.categories.all())
        rewards = reward_statistics()
        slugs = [p.profile_slug for p in rewards.programmes]
        found = Figures(
            profile=profile,
            categories=categories,
            cases=case_figures(
                profile_slug=profile.slug,
                categories=[c.slug for c in categories],
                min_count=settings.STATISTICS_MIN_COUNT,
            ),
            rewards=rewards,
            names=dict(
                Profile.objects.filter(slug__in=slugs).values_list("slug", "name")
            ),
        )
        cache.set(key, found, _seconds_left())
    return found


def _context(figures: Figures) -> dict[str, object]:
    rewards = figures.rewards
    titles = figures.titles()
    programmes = [
        (titles.get(p.profile_slug, p.profile_slug), p) for p in rewards.programmes
    ]
    return {
        "figures": rewards,
        "programmes": programmes,
        "cases": figures.cases,
        "profile": figures.profile,
        "tables": case_tables(figures.cases, figures.categories),
        "months": MONTHS,
        "first_month": figures.cases.months[0],
        "last_month": figures.cases.months[-1],
    }


def _key(kind: str, profile: str, language: str | None) -> str:
    """One entry per profile, language, month published and threshold: a new
    month (or a new threshold) is a new entry, never a stale one."""
    month = ended_months()[-1]
    k = settings.STATISTICS_MIN_COUNT
    return f"statistics:{kind}:{profile}:{language}:{month:%Y-%m}:{k}"


def _seconds_left() -> int:
    """Until the running month ends, at most ``CACHE_SECONDS``."""
    now = timezone.now()
    year, month = (now.year, now.month + 1) if now.month < 12 else (now.year + 1, 1)
    left = (datetime(year, month, 1, tzinfo=UTC) - now).total_seconds()
    return max(1, min(CACHE_SECONDS, int(left)))
