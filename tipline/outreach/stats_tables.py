"""The statistics page's tables as people read them: labels in the active
language, each value as published (``tipline.cases.statistics`` and
``tipline.rewards.statistics`` have withheld them already), the chart drawn
from the same values and the CSV written from the same rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.template.defaultfilters import date as format_date
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tipline.cases.statistics import CaseFigures, Channel, Median, Outcome, Table
from tipline.lib.disclosure import Cell, Mark
from tipline.lib.i18n import localized
from tipline.outreach import charts
from tipline.profiles.models import Category
from tipline.rewards.statistics import Paid, RewardStatistics

__all__ = ["StatsTable", "case_tables", "reward_table", "to_csv"]

# The tables in the order of the page; their slugs name the CSV files.
TITLES = {
    "received": gettext_lazy("Reports received"),
    "categories": gettext_lazy("Reports received by category"),
    "channels": gettext_lazy("Reports received by channel"),
    "outcomes": gettext_lazy("Cases closed by outcome"),
    "acknowledge": gettext_lazy("Median days to acknowledge a report"),
    "close": gettext_lazy("Median days to close a case"),
}
NOTES = {
    "received": gettext_lazy("Reports that reached us in each month."),
    "categories": gettext_lazy(
        "The same reports, by the category the person reporting chose."
    ),
    "channels": gettext_lazy(
        "The same reports, by how they reached us: the web form, the app, the "
        "phone, post or in person."
    ),
    "outcomes": gettext_lazy(
        "Cases closed in each month, by how they ended. A case can close months "
        "after its report arrived."
    ),
    "acknowledge": gettext_lazy(
        "For reports acknowledged in each month: the median number of whole days "
        "from the report to its acknowledgement."
    ),
    "close": gettext_lazy(
        "For cases closed in each month: the median number of whole days from "
        "the report to closing the case."
    ),
}
SLUGS = (*TITLES, "rewards")


@dataclass(frozen=True)
class Value:
    """A published value and its words: a number, or why it is withheld;
    ``plain`` is what the CSV holds (the number without locale formatting)."""

    number: float | None
    text: str
    plain: str = ""


@dataclass(frozen=True)
class Line:
    key: str  # the CSV's first column: the month (2026-01) or the year
    heading: str  # the table's: the month's name in the active language
    values: tuple[Value, ...]


@dataclass(frozen=True)
class StatsTable:
    slug: str
    title: str
    columns: tuple[str, ...]  # the headings after the first column
    first: str  # the first column's heading
    rows: tuple[Line, ...]
    chart: SafeString | None = None
    note: str = ""


def case_tables(
    figures: CaseFigures, categories: Sequence[Category]
) -> list[StatsTable]:
    """Every table of reports and cases, with its chart, in the active language."""
    names = {c.slug: str(localized(c.title)) for c in categories}
    labels = {
        "received": [_("Reports")],
        "categories": [names.get(s, s) for s in figures.categories.columns],
        "channels": [str(Channel(c).label) for c in figures.channels.columns],
        "outcomes": [_outcome_label(o) for o in figures.outcomes.columns],
    }
    tables = [
        _count_table(slug, getattr(figures, slug), labels[slug], figures.min_count)
        for slug in ("received", "categories", "channels", "outcomes")
    ]
    tables += [
        _median_table("acknowledge", figures.acknowledge),
        _median_table("close", figures.close),
    ]
    return tables


def _outcome_label(value: str) -> str:
    # "Knowingly false" is an outcome like the others here: only a count.
    return str(Outcome(value).label)


def month_name(month: date) -> str:
    return format_date(month, "YEAR_MONTH_FORMAT")


def _count_table(
    slug: str, table: Table, columns: list[str], min_count: int
) -> StatsTable:
    rows = tuple(
        Line(
            f"{row.month:%Y-%m}",
            month_name(row.month),
            tuple(_count(cell, min_count) for cell in row.cells),
        )
        for row in table.rows
    )
    return _with_chart(
        StatsTable(
            slug=slug,
            title=str(TITLES[slug]),
            note=str(NOTES[slug]),
            columns=tuple(columns),
            first=_("Month"),
            rows=rows,
        ),
        [row.month for row in table.rows],
    )


def _median_table(slug: str, medians: tuple[Median, ...]) -> StatsTable:
    rows = tuple(
        Line(
            f"{m.month:%Y-%m}",
            month_name(m.month),
            (
                Value(None, _("not shown"))
                if m.days is None
                else Value(
                    m.days, number_format(m.days, decimal_pos=1), f"{m.days:.1f}"
                ),
            ),
        )
        for m in medians
    )
    return _with_chart(
        StatsTable(
            slug=slug,
            title=str(TITLES[slug]),
            note=str(NOTES[slug]),
            columns=(_("Median days"),),
            first=_("Month"),
            rows=rows,
        ),
        [m.month for m in medians],
    )


def _count(cell: Cell, min_count: int) -> Value:
    if cell.mark is Mark.FEWER:
        return Value(None, fewer_than(min_count))
    if cell.mark is Mark.NOT_SHOWN:
        return Value(None, _("not shown"))
    if cell.value is None:
        raise ValueError("a shown cell has no value")
    return Value(cell.value, number_format(cell.value), str(cell.value))


def fewer_than(min_count: int) -> str:
    return _("fewer than %(k)s") % {"k": min_count}


def _with_chart(table: StatsTable, months: list[date]) -> StatsTable:
    series = [
        charts.Series(
            name=column,
            bars=tuple(
                charts.Bar(
                    value=line.values[n].number,
                    title=f"{line.heading}: {line.values[n].text}",
                    tick=str(month.month),
                    year=str(month.year) if _year_starts(i, month) else "",
                )
                for i, (month, line) in enumerate(zip(months, table.rows, strict=True))
            ),
        )
        for n, column in enumerate(table.columns)
    ]
    first, last = table.rows[0].heading, table.rows[-1].heading
    description = _(
        "Bar chart, one bar per month from %(first)s to %(last)s. "
        "Hatched bars are numbers not shown. The table below gives every figure."
    ) % {"first": first, "last": last}
    if len(series) > 1:
        description = (
            _("One row of bars for each of: %(names)s.")
            % {"names": ", ".join(table.columns)}
            + " "
            + description
        )
    chart = charts.bar_chart(
        chart_id=f"chart-{table.slug}",
        title=table.title,
        description=description,
        series=series,
    )
    return StatsTable(**{**table.__dict__, "chart": chart})


def _year_starts(index: int, month: date) -> bool:
    """Whether a bar carries its year: each January, and the first bar when
    the next January is not too close for both labels."""
    return month.month == 1 or (index == 0 and month.month <= 10)


def reward_table(
    figures: RewardStatistics, titles: dict[str, str], min_count: int
) -> StatsTable:
    """Rewards paid per year, programme, currency and tier (no chart)."""
    rows = []
    for programme in figures.programmes:
        title = titles.get(programme.profile_slug, programme.profile_slug)
        for line in programme.years:
            for paid in line.rewards_paid:
                rows.append(
                    _paid_row(line.year, title, _("All tiers"), paid, min_count)
                )
            for tier in line.tiers:
                rows.append(
                    _paid_row(
                        line.year,
                        title,
                        str(localized(tier.name)),
                        tier.paid,
                        min_count,
                    )
                )
    return StatsTable(
        slug="rewards",
        title=_("Rewards paid by tier"),
        first=_("Year"),
        columns=(
            _("Programme"),
            _("Tier"),
            _("Currency"),
            _("Rewards paid"),
            _("Amount paid"),
        ),
        rows=tuple(rows),
    )


def _paid_row(year: int, programme: str, tier: str, paid: Paid, min_count: int) -> Line:
    count = paid.count
    mark = (
        Mark.SHOWN
        if not count.withheld
        else (Mark.NOT_SHOWN if count.not_shown else Mark.FEWER)
    )
    amount = (
        Value(None, _("not shown"))
        if paid.total is None
        else Value(paid.total, paid.total_display)
    )
    return Line(
        str(year),
        str(year),
        (
            Value(None, programme),
            Value(None, tier),
            Value(None, paid.currency),
            _count(Cell(count.value, mark), min_count),
            amount,
        ),
    )


def to_csv(table: StatsTable) -> str:
    """The table as CSV for spreadsheets: a byte order mark (so Excel reads
    UTF-8), a header row, and the words of withheld values."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(table.first), *map(_cell, table.columns)])
    for line in table.rows:
        writer.writerow([line.key, *(_cell(v.plain or v.text) for v in line.values)])
    return out.getvalue()


def _cell(text: str) -> str:
    # A spreadsheet runs a cell that starts like a formula; names come from
    # profile files, so they are kept as text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
