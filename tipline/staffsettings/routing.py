"""Settings page: routing (which team gets each category's reports) and priority
rules."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tipline.accounts.decorators import StaffRequest
from tipline.accounts.models import Team
from tipline.cases import rules as services
from tipline.profiles.models import Category
from tipline.staffsettings.pages import settings_page
from tipline.triage.models import PriorityRule


class RouteForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)

    def __init__(
        self,
        *args: Any,
        categories: list[tuple[int, str]],
        teams: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = categories
        cast(forms.ChoiceField, self.fields["team"]).choices = teams


# ModelForm is generic only in django-stubs: subscripting it fails at runtime.
class PriorityRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PriorityRule
        fields = ("kind", "category", "keyword", "weight")
        labels: ClassVar[dict[str, Any]] = {
            "kind": _("Rule"),
            "category": _("Category (for a category rule)"),
            "keyword": _("Keyword (for a keyword rule)"),
            "weight": _("Points"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == PriorityRule.Kind.CATEGORY and not data.get("category"):
            self.add_error("category", _("Choose the category this rule weighs."))
        if (
            kind == PriorityRule.Kind.KEYWORD
            and not (data.get("keyword") or "").strip()
        ):
            self.add_error("keyword", _("Enter the keyword this rule looks for."))
        if data.get("weight") is not None and abs(data["weight"]) > 1000:
            self.add_error("weight", _("Use between -1000 and 1000 points."))
        return data


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
        "settings_page": "routing",
    }
    return render(request, "staffsettings/routing.html", context, status=status)


@settings_page("routing")
def routing(request: StaffRequest) -> HttpResponse:
    return _page(request)


@require_POST
@settings_page("routing")
def set_route(request: StaffRequest) -> HttpResponse:
    form = _route_form(request.POST)
    if not form.is_valid():
        return _page(request, route_form=form, status=400)
    services.set_route(
        user=request.user,
        category=Category.objects.get(pk=form.cleaned_data["category"]),
        team=Team.objects.get(pk=form.cleaned_data["team"]),
    )
    messages.success(request, gettext("Routing saved. New reports follow it at once."))
    return redirect("staffsettings:routing")


@require_POST
@settings_page("routing")
def add_rule(request: StaffRequest) -> HttpResponse:
    form = PriorityRuleForm(request.POST)
    if not form.is_valid():
        return _page(request, rule_form=form, status=400)
    services.add_priority_rule(user=request.user, rule=form.save(commit=False))
    messages.success(request, gettext("Rule added; priorities were recalculated."))
    return redirect("staffsettings:routing")


@require_POST
@settings_page("routing")
def delete_rule(request: StaffRequest, rule_id: int) -> HttpResponse:
    rule = PriorityRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    services.delete_priority_rule(user=request.user, rule=rule)
    messages.success(request, gettext("Rule removed; priorities were recalculated."))
    return redirect("staffsettings:routing")
