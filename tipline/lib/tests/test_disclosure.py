"""The suppression rule (tipline/lib/disclosure.py), attacked the way a reader
would: subtracting published figures from published totals (every linear
combination of the sums), and reasoning with the bounds the marks give away
("fewer than 5" is 1 to 4, a complement is 5 or more), by brute force over
every table the published figures allow."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tipline.lib.disclosure import Cell, Mark, Sum, median, suppress

K = 5


def month(categories, channels):
    """One month: its total, the same reports by category and by channel."""
    total = sum(categories)
    assert total == sum(channels)
    counts = {"total": total}
    counts |= {f"cat{n}": v for n, v in enumerate(categories)}
    counts |= {f"chan{n}": v for n, v in enumerate(channels)}
    sums = [
        Sum("total", tuple(f"cat{n}" for n in range(len(categories)))),
        Sum("total", tuple(f"chan{n}" for n in range(len(channels)))),
    ]
    return counts, sums


def determined_by_subtraction(published, sums):
    """Withheld cells whose value follows from the sums and the shown cells by
    some linear combination (Gaussian elimination over the withheld ones)."""
    hidden = sorted(key for key, cell in published.items() if cell.withheld)
    index = {key: n for n, key in enumerate(hidden)}
    rows = []
    for relation in sums:
        row = [Fraction(0)] * len(hidden)
        for key, sign in [(relation.total, 1), *((p, -1) for p in relation.parts)]:
            if key in index:
                row[index[key]] += sign
        if any(row):
            rows.append(row)
    base = _rank(rows)
    return {
        key
        for key, n in index.items()
        if _rank([*rows, [Fraction(int(i == n)) for i in range(len(hidden))]]) == base
    }


def _rank(rows):
    rows = [list(r) for r in rows]
    rank, columns = 0, len(rows[0]) if rows else 0
    for col in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [
                    a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)
                ]
        rank += 1
    return rank


def possible_values(published, categories, channels, cap, not_shown_from=1):
    """For each withheld cell of a month, every value it can take in some
    table that fits what is shown: the sums hold, "fewer than K" is 1 to K-1,
    "not shown" is ``not_shown_from`` or more (0 or more in the hidden
    breakdown of a small month), and no cell is above ``cap``. A reader who
    knows complements are K or more passes K."""
    hidden_breakdown = published["total"].mark is Mark.FEWER
    if not published["total"].withheld:
        cap = published["total"].value

    def domain(key):
        cell = published[key]
        if cell.mark is Mark.SHOWN:
            return [cell.value]
        if cell.mark is Mark.FEWER:
            return range(1, K)
        low = 0 if hidden_breakdown and key != "total" else not_shown_from
        return range(max(low, 1) if key == "total" else low, cap + 1)

    cats = [f"cat{n}" for n in range(categories)]
    chans = [f"chan{n}" for n in range(channels)]
    found = {key: set() for key, cell in published.items() if cell.withheld}
    totals = set(domain("total"))
    for some in itertools.product(*map(domain, cats)):
        total = sum(some)
        if total not in totals:
            continue
        for most in itertools.product(*map(domain, chans[:-1])):
            last = total - sum(most)
            if last not in domain(chans[-1]):
                continue
            world = {
                "total": total,
                **dict(zip(cats + chans, [*some, *most, last], strict=True)),
            }
            for key in found:
                found[key].add(world[key])
    return found


def read(published):
    return {
        key: cell.value if not cell.withheld else cell.mark
        for key, cell in published.items()
    }


# --- Named attacks -------------------------------------------------------------


def test_a_category_of_two_in_a_month_of_twenty_cannot_be_subtracted():
    counts, sums = month([2, 7, 11], [20])

    published = suppress(counts, sums, min_count=K)

    assert published["cat0"] == Cell(None, Mark.FEWER)
    # 20 - 11 would give 9 = 2 + 7: the next smallest (7) is withheld as well.
    assert published["cat1"] == Cell(None, Mark.NOT_SHOWN)
    assert published["cat2"] == Cell(11)
    assert published["total"] == Cell(20)
    assert published["total"].value - published["cat2"].value == 9  # not 2
    assert determined_by_subtraction(published, sums) == set()


def test_a_channel_with_one_report_cannot_be_subtracted():
    counts, sums = month([6, 8], [1, 13, 0])

    published = suppress(counts, sums, min_count=K)

    assert read(published) == {
        "total": 14,
        "cat0": 6,
        "cat1": 8,
        "chan0": Mark.FEWER,
        "chan1": Mark.NOT_SHOWN,
        "chan2": 0,
    }
    assert determined_by_subtraction(published, sums) == set()


def test_a_complement_too_close_to_the_total_is_not_enough():
    # 6 = "fewer than 5" + "not shown" (5 or more) can only be 1 + 5.
    counts, sums = month([1, 5], [6])

    published = suppress(counts, sums, min_count=K)

    assert published["cat0"].mark is Mark.FEWER
    assert published["cat1"].mark is Mark.NOT_SHOWN
    assert published["total"].mark is Mark.NOT_SHOWN
    assert len(possible_values(published, 2, 1, cap=30)["cat0"]) > 1


def test_a_bound_that_pins_a_month_is_taken_away():
    # Channels of "fewer than 5" put the month at 8 or less, categories of 1, 1,
    # 1 and 5 at 8 or more: with nothing shown left to withhold, a channel is
    # marked "not shown", which has no upper bound.
    counts, sums = month([1, 1, 1, 5], [0, 4, 4])

    published = suppress(counts, sums, min_count=K)

    assert published["chan0"] == Cell(0)
    assert Mark.NOT_SHOWN in {published["chan1"].mark, published["chan2"].mark}
    possible = possible_values(published, 4, 3, cap=20)
    assert all(len(v) > 1 for v in possible.values())


def test_the_breakdown_of_a_small_month_is_not_shown_at_all():
    # Four categories of "fewer than 5" in a month of "fewer than 5": 1 each.
    counts, sums = month([1, 1, 1, 1, 0], [0, 4])

    published = suppress(counts, sums, min_count=K)

    assert published["total"] == Cell(None, Mark.FEWER)
    assert {published[key].mark for key in counts if key != "total"} == {Mark.NOT_SHOWN}
    possible = possible_values(published, 5, 2, cap=8)
    assert all(len(v) > 1 for v in possible.values())


def test_zero_is_shown_and_large_counts_stay():
    counts, sums = month([0, 5, 9], [14])

    assert read(suppress(counts, sums, min_count=K)) == counts


def test_a_threshold_of_one_withholds_nothing():
    counts, sums = month([1, 2], [3])

    assert read(suppress(counts, sums, min_count=1)) == counts


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        suppress({"a": -1}, [], min_count=K)


def test_a_sum_without_any_withheld_cell_is_left_alone():
    published = suppress({"t": 10, "a": 5, "b": 5}, [Sum("t", ("a", "b"))], min_count=K)

    assert read(published) == {"t": 10, "a": 5, "b": 5}


# --- Medians ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("histogram", "expected"),
    [
        ({}, None),
        ({3: 4}, None),  # four cases: fewer than five
        ({1: 2, 3: 2, 9: 1}, 3),
        ({1: 3, 4: 3}, 2.5),
        ({0: 5}, 0),
    ],
)
def test_a_median_needs_k_cases(histogram, expected):
    assert median(histogram, min_count=K) == expected


# --- Random tables: every attack fails ------------------------------------------

small = st.one_of(st.integers(0, 4), st.integers(0, 30))


@st.composite
def months(draw, values=small, max_categories=6, max_channels=5):
    categories = draw(st.lists(values, min_size=1, max_size=max_categories))
    total = sum(categories)
    cuts = sorted(draw(st.lists(st.integers(0, total), max_size=max_channels - 1)))
    channels = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return categories, channels


@given(months())
def test_no_small_count_follows_by_subtraction(table):
    counts, sums = month(*table)

    published = suppress(counts, sums, min_count=K)

    assert determined_by_subtraction(published, sums) == set()
    for key, cell in published.items():
        if 0 < counts[key] < K:
            assert cell.withheld is True
        if not cell.withheld:
            assert cell.value == counts[key]


@settings(max_examples=150)
@given(months(values=st.integers(0, 9), max_categories=3, max_channels=2))
def test_no_small_count_follows_from_the_bounds_either(table):
    counts, sums = month(*table)

    published = suppress(counts, sums, min_count=K)

    shape = len(table[0]), len(table[1])
    possible = possible_values(published, *shape, cap=30)
    for key, values in possible.items():
        assert counts[key] in values
        if published[key].mark is Mark.FEWER:
            assert len(values) > 1, (key, counts, read(published))
    # A reader who takes "not shown" as K or more (true of complements) is
    # either wrong about this table or learns no small count exactly.
    strict = possible_values(published, *shape, cap=30, not_shown_from=K)
    if all(counts[key] in values for key, values in strict.items()):
        for key, values in strict.items():
            if published[key].mark is Mark.FEWER:
                assert len(values) > 1, (key, counts, read(published))


def test_a_year_of_months_is_withheld_month_by_month():
    """Months are not parts of anything: no total across them is declared."""
    counts, sums = {}, []
    for m in range(12):
        one, relations = month([m % 5, 10], [10 + m % 5])
        counts |= {(m, key): v for key, v in one.items()}
        sums += [Sum((m, s.total), tuple((m, p) for p in s.parts)) for s in relations]

    published = suppress(counts, sums, min_count=K)

    shown_totals = [published[(m, "total")] for m in range(12)]
    assert [c.value for c in shown_totals] == [10 + m % 5 for m in range(12)]
    assert determined_by_subtraction(published, sums) == set()
