"""Settings page: retention, how long closed cases are kept."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tipline.accounts.decorators import StaffRequest, administrators_only
from tipline.cases import retention
from tipline.cases.forms import RetentionForm


@administrators_only
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
            _("Retention saved. Cases already closed follow the new periods."),
        )
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("staffsettings:retention")


def _page(
    request: StaffRequest, form: RetentionForm, status: int = 200
) -> HttpResponse:
    context = {"form": form, "due_now": retention.due_count()}
    return render(request, "staffsettings/retention.html", context, status=status)
