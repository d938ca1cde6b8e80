"""Routing: which team handles a report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tipline.accounts.models import Team
from tipline.triage.models import RoutingRule

if TYPE_CHECKING:
    from tipline.intake.models import Category

DEFAULT_TEAM = "triage"


def default_team() -> Team:
    team, _ = Team.objects.get_or_create(slug=DEFAULT_TEAM, defaults={"name": "Triage"})
    return team


def ensure_route(*, category: Category) -> RoutingRule:
    """Route ``category`` to the default team unless a rule exists."""
    rule, _ = RoutingRule.objects.get_or_create(
        category=category, defaults={"team": default_team()}
    )
    return rule


def route(*, category: Category) -> Team:
    """The team a new report in ``category`` goes to."""
    rule = RoutingRule.objects.filter(category=category).select_related("team").first()
    return rule.team if rule else default_team()
