"""Settings page: routing (which team gets each category's reports) and priority
rules."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tipline.accounts.decorators import StaffRequest, administrators_only
from tipline.accounts.models import Team
from tipline.intake.models import Category
from tipline.triage import rules as services
from tipline.triage.forms import PriorityRuleForm, RouteForm
from tipline.triage.models import PriorityRule


def _route_form(data: object = None) -> RouteForm:
    return RouteForm(
        data,
        categories=[
            (c.pk, f"{c.profile.title}: {c.local_title}")
            for c in Category.objects.select_related("profile").filter(active=True)
        ],
        teams=[(team.pk, team.name) for team in Team.objects.all()],
    )


def _page(
    request: StaffRequest,
    route_form: RouteForm | None = None,
    rule_form: PriorityRuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "routes": services.routing_table(),
        "rules": PriorityRule.objects.select_related("category"),
        "route_form": route_form or _route_form(),
        "kinds": PriorityRule.Kind,
        "rule_form": rule_form or PriorityRuleForm(),
    }
    return render(request, "staffsettings/routing.html", context, status=status)


@administrators_only
def routing(request: StaffRequest) -> HttpResponse:
    return _page(request)


@require_POST
@administrators_only
def set_route(request: StaffRequest) -> HttpResponse:
    form = _route_form(request.POST)
    if not form.is_valid():
        return _page(request, route_form=form, status=400)
    services.set_route(
        user=request.user,
        category=Category.objects.get(pk=form.cleaned_data["category"]),
        team=Team.objects.get(pk=form.cleaned_data["team"]),
    )
    messages.success(request, _("Routing saved. New reports follow it at once."))
    return redirect("staffsettings:routing")


@require_POST
@administrators_only
def add_rule(request: StaffRequest) -> HttpResponse:
    form = PriorityRuleForm(request.POST)
    if not form.is_valid():
        return _page(request, rule_form=form, status=400)
    services.add_priority_rule(user=request.user, rule=form.save(commit=False))
    messages.success(request, _("Rule added; priorities were recalculated."))
    return redirect("staffsettings:routing")


@require_POST
@administrators_only
def delete_rule(request: StaffRequest, rule_id: int) -> HttpResponse:
    rule = PriorityRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    services.delete_priority_rule(user=request.user, rule=rule)
    messages.success(request, _("Rule removed; priorities were recalculated."))
    return redirect("staffsettings:routing")
