"""Administrators' changes to triage: routing rules and priority rules (audited)."""

from __future__ import annotations

from django.db import transaction

from tipline.accounts.models import Team, User
from tipline.audit import services as audit
from tipline.intake.models import Category
from tipline.intake.profiles import forget_categories
from tipline.triage import priority
from tipline.triage.models import PriorityRule, RoutingRule
from tipline.triage.services import route


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
    priority.forget_rules()
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
    priority.forget_rules()
    _refresh_after_commit()


def _refresh_after_commit() -> None:
    """Rescore every open case once the rule change is committed: outside the
    transaction that holds the audit chain's lock, one short write per batch of
    cases (priority.refresh), so reports and sign-ins do not wait for it."""
    transaction.on_commit(priority.refresh)
