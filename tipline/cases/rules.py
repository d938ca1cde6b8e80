"""Routing and priority rules: the team a new report goes to, and administrators'
audited changes to the rules (triage stores them; cases applies them)."""

from __future__ import annotations

from django.db import transaction

from tipline.accounts.models import Team, User
from tipline.accounts.services import default_team
from tipline.audit import services as audit
from tipline.cases import priority
from tipline.profiles.loader import forget_categories
from tipline.profiles.models import Category
from tipline.triage import priority as scores
from tipline.triage.models import PriorityRule, RoutingRule


def route(*, category: Category) -> Team:
    """The team a new report in ``category`` goes to (no query if the category was
    loaded with ``select_related("route__team")``): its routing rule's, or the
    default team."""
    try:
        return category.route.team
    except RoutingRule.DoesNotExist:
        return default_team()


def routing_table() -> list[tuple[Category, Team]]:
    """Every active category with the team its reports go to."""
    categories = Category.objects.filter(active=True).select_related(
        "profile", "route__team"
    )
    return [(category, route(category=category)) for category in categories]


@transaction.atomic
def set_route(*, user: User, category: Category, team: Team) -> RoutingRule:
    """Send new reports in ``category`` to ``team`` (earlier cases stay put)."""
    rule, _ = RoutingRule.objects.update_or_create(
        category=category, defaults={"team": team}
    )
    audit.record(
        action="settings.routing",
        actor=user,
        target=f"category:{category.pk}",
        detail={"team": team.slug},
    )
    # This process forgets at once; others within CATEGORY_CACHE_SECONDS.
    forget_categories()
    return rule


@transaction.atomic
def add_priority_rule(*, user: User, rule: PriorityRule) -> PriorityRule:
    rule.save()
    scores.forget_rules()
    audit.record(
        action="settings.priority",
        actor=user,
        target=f"priority-rule:{rule.pk}",
        detail={"kind": rule.kind, "weight": rule.weight, "change": "added"},
    )
    _refresh_after_commit()
    return rule


@transaction.atomic
def delete_priority_rule(*, user: User, rule: PriorityRule) -> None:
    audit.record(
        action="settings.priority",
        actor=user,
        target=f"priority-rule:{rule.pk}",
        detail={"kind": rule.kind, "weight": rule.weight, "change": "removed"},
    )
    rule.delete()
    scores.forget_rules()
    _refresh_after_commit()


def _refresh_after_commit() -> None:
    """Rescore every open case once the rule change is committed: outside the
    transaction that holds the audit chain's lock, one short write per batch of
    cases (priority.refresh), so reports and sign-ins do not wait for it."""
    transaction.on_commit(priority.refresh)
