"""Reward records (issue 14, point 9): every proposal with its decision and its
offers' state, filtered and paginated, and a CSV of the rewards paid per period
and tier.

Administrators, rewards approvers and finance staff read it, so it holds nothing
encrypted with a case (no justification, no reason) and looks up no claim code.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tipline.accounts.decorators import StaffRequest
from tipline.lib.http import query_without_page
from tipline.rewards import currencies, selectors, services
from tipline.rewards.models import Offer, OfferStatus, Proposal, ProposalStatus, Share
from tipline.staffsettings.pages import settings_page

PAGE_SIZE = 50
MAX_EXPORT_MONTHS = 120  # ten years
FIRST_YEAR, LAST_YEAR = 2000, 2100  # as the years of budgets and filters
_MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")
# A spreadsheet reads a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class RecordFilterForm(forms.Form):
    profile = forms.ChoiceField(label=_("Profile"), required=False)
    year = forms.IntegerField(
        label=_("Year proposed"), required=False, min_value=2000, max_value=2100
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Proposal"),
        required=False,
        choices=[("", _("All")), *ProposalStatus.choices],
    )
    offer_status = forms.ChoiceField(
        label=_("Offer"),
        required=False,
        choices=[("", _("All")), *OfferStatus.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["profile"]).choices = [
            ("", _("All")),
            *((slug, slug) for slug in selectors.profiles_with_policy()),
        ]
        cast(forms.ChoiceField, self.fields["tier"]).choices = [
            ("", _("All")),
            *(
                (tier.pk, f"{tier.policy.profile_slug}: {tier.local_name}")
                for tier in selectors.tiers_in_use()
            ),
        ]

    def filters(self) -> selectors.RecordFilters:
        """The filters chosen; none for a form that is empty or invalid."""
        if not (self.is_bound and self.is_valid()):
            return selectors.RecordFilters()
        data = self.cleaned_data
        return selectors.RecordFilters(
            profile=data["profile"] or "",
            year=data["year"],
            tier=data["tier"],
            status=data["status"] or "",
            offer_status=data["offer_status"] or "",
        )


def parse_month(text: str) -> date:
    """The first day of ``YYYY-MM``; ValidationError for anything else."""
    match = _MONTH.fullmatch(text.strip())
    if (
        match is None
        or not 1 <= int(match["month"]) <= 12
        or not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR
    ):
        raise forms.ValidationError(
            gettext(
                "Enter a month as YYYY-MM, for example 2026-03, between "
                "%(first)s and %(last)s."
            )
            % {"first": f"{FIRST_YEAR}-01", "last": f"{LAST_YEAR}-12"}
        )
    return date(int(match["year"]), int(match["month"]), 1)


class ExportForm(forms.Form):
    first = forms.CharField(label=_("From month"), max_length=7)
    last = forms.CharField(label=_("To month"), max_length=7)
    grouping = forms.ChoiceField(
        label=_("Totals per"),
        choices=selectors.Grouping.choices,
        initial=selectors.Grouping.MONTH,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        year = timezone.localdate().year
        kwargs.setdefault("initial", {"first": f"{year}-01", "last": f"{year}-12"})
        super().__init__(*args, **kwargs)
        for name in ("first", "last"):
            self.fields[name].widget.attrs.update(
                {"placeholder": "YYYY-MM", "inputmode": "numeric"}
            )

    def clean_first(self) -> date:
        return parse_month(self.cleaned_data["first"])

    def clean_last(self) -> date:
        return parse_month(self.cleaned_data["last"])

    def clean_grouping(self) -> str:
        return str(self.cleaned_data["grouping"] or selectors.Grouping.MONTH)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if isinstance(first, date) and isinstance(last, date):
            months = (last.year - first.year) * 12 + last.month - first.month + 1
            if months < 1:
                self.add_error(
                    "last", gettext("The last month is before the first month.")
                )
            elif months > MAX_EXPORT_MONTHS:
                self.add_error(
                    "last", gettext("Export at most ten years (120 months) at a time.")
                )
        return data


@dataclass(frozen=True)
class RecordRow:
    """A proposal and its offers (one per share; None for a share not offered)."""

    proposal: Proposal
    offers: list[Offer | None]


def _offer_of(share: Share) -> Offer | None:
    try:
        return share.offer
    except Offer.DoesNotExist:
        return None


def _rows(proposals: Iterable[Proposal]) -> list[RecordRow]:
    return [
        RecordRow(p, [_offer_of(share) for share in p.shares.all()] or [None])
        for p in proposals
    ]


def _page(
    request: StaffRequest, export_form: ExportForm, status: int = 200
) -> HttpResponse:
    filter_form = RecordFilterForm(request.GET or None)
    records = selectors.reward_records(filter_form.filters())
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "export_form": export_form,
        "page": page,
        "rows": _rows(page.object_list),
        "query": query_without_page(request),
        "settings_page": "reward_records",
    }
    return render(request, "staffsettings/reward_records.html", context, status=status)


@settings_page("reward_records")
def records(request: StaffRequest) -> HttpResponse:
    return _page(request, ExportForm())


def safe_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text, never runs as a
    formula (CSV injection): a leading apostrophe before = + - @ tab or CR."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def paid_csv(rows: list[selectors.PaidRow]) -> str:
    """The export's text: UTF-8 with a byte order mark comes from the caller's
    encoding; totals in major units from the integer minor units."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["kind", "period", "profile", "tier", "currency", "count", "total"])
    for row in rows:
        total = (
            "" if row.total is None else currencies.to_major(row.total, row.currency)
        )
        writer.writerow(
            safe_cell(cell)
            for cell in (
                row.kind,
                row.period,
                row.profile,
                row.tier,
                row.currency,
                row.count,
                total,
            )
        )
    return out.getvalue()


@settings_page("reward_records")
def export(request: StaffRequest) -> HttpResponse:
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _page(request, form, status=400)
    first: date = form.cleaned_data["first"]
    last_month: date = form.cleaned_data["last"]
    last = _month_end(last_month)
    grouping = form.cleaned_data["grouping"]
    rows = selectors.paid_per_period(first=first, last=last, grouping=grouping)
    services.record_export(
        user=request.user,
        first=f"{first:%Y-%m}",
        last=f"{last_month:%Y-%m}",
        grouping=grouping,
        rows=len(rows),
    )
    name = f"rewards-paid-{first:%Y-%m}-to-{last_month:%Y-%m}.csv"
    response = HttpResponse(
        paid_csv(rows).encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _month_end(first_day: date) -> date:
    following = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
