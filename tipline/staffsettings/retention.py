"""Settings page: retention, how long closed cases are kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tipline.accounts.decorators import StaffRequest
from tipline.cases import retention
from tipline.cases.models import Outcome
from tipline.staffsettings.pages import settings_page


class RetentionForm(forms.Form):
    """Days a closed case is kept, one field per outcome, and the confirmation
    needed when a shorter period makes cases due for destruction at once."""

    MAX_DAYS = 100 * 365

    confirm = forms.BooleanField(
        label=_("Yes, destroy those cases at the next purge"), required=False
    )

    def __init__(self, *args: Any, initial_days: dict[str, int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for outcome in Outcome:
            self.fields[outcome.value] = forms.IntegerField(
                label=outcome.label,
                min_value=1,
                max_value=self.MAX_DAYS,
                initial=initial_days[outcome],
                help_text=_("Days after closing"),
            )
        # The confirmation comes last, after the periods it confirms.
        self.fields["confirm"] = self.fields.pop("confirm")

    def days(self) -> dict[str, int]:
        return {outcome.value: self.cleaned_data[outcome.value] for outcome in Outcome}


@settings_page("retention")
def retention_settings(request: StaffRequest) -> HttpResponse:
    current = retention.periods()
    if request.method != "POST":
        return _page(request, RetentionForm(initial_days=current))
    form = RetentionForm(request.POST, initial_days=current)
    if not form.is_valid():
        return _page(request, form, status=400)
    due = retention.newly_due(form.days())
    if due and not form.cleaned_data["confirm"]:
        form.add_error(
            "confirm",
            ngettext(
                "With these periods, %(count)d closed case would be destroyed at "
                "the next purge. Tick the box to confirm.",
                "With these periods, %(count)d closed cases would be destroyed at "
                "the next purge. Tick the box to confirm.",
                due,
            )
            % {"count": due},
        )
        return _page(request, form, status=400)
    if retention.set_periods(user=request.user, days=form.days()):
        messages.success(
            request,
            gettext("Retention saved. Cases already closed follow the new periods."),
        )
    else:
        messages.info(request, gettext("Nothing changed."))
    return redirect("staffsettings:retention")


def _page(
    request: StaffRequest, form: RetentionForm, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "due_now": retention.due_count(),
        "settings_page": "retention",
    }
    return render(request, "staffsettings/retention.html", context, status=status)
