from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.utils.translation import gettext_lazy as _

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
