"""Settings page: the audit log, for administrators to browse and filter."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from tipline.accounts.decorators import StaffRequest, administrators_only
from tipline.audit import selectors, services
from tipline.audit.forms import AuditFilterForm
from tipline.lib.http import query_without_page

PAGE_SIZE = 100


@administrators_only
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
    }
    return render(request, "staffsettings/audit_log.html", context)
