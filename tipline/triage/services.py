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
    """The team a new report in ``category`` goes to (no query if the category was
    loaded with ``select_related("route__team")``)."""
    try:
        return category.route.team
    except RoutingRule.DoesNotExist:
        return default_team()
