"""Settings page: the audit log, for administrators to browse and filter."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tipline.accounts.decorators import StaffRequest
from tipline.audit import selectors, services
from tipline.lib.http import query_without_page
from tipline.staffsettings.pages import settings_page

PAGE_SIZE = 100

# The search adds a day to "until" and turns dates into aware datetimes: at the
# ends of Python's calendar that overflows, so a typed year 9999 or 0001 is an
# error on the form instead.
DATE_RANGE = [
    MinValueValidator(date(1970, 1, 1)),
    MaxValueValidator(date(9998, 12, 31)),
]


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=50,
        help_text=_("e.g. case.read, login.failed, settings (a prefix)"),
    )
    actor = forms.CharField(label=_("Staff member"), required=False, max_length=150)
    target = forms.CharField(
        label=_("Target"),
        required=False,
        max_length=100,
        help_text=_("e.g. case:42"),
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=DATE_RANGE,
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=DATE_RANGE,
    )


@settings_page("audit_log")
def browse(request: StaffRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = selectors.search_events(**{k: v for k, v in filters.items() if v})
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "head": services.current_anchor(),
        "settings_page": "audit_log",
    }
    return render(request, "staffsettings/audit_log.html", context)
