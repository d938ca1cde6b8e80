"""Which published counts to withhold so that no small count can be worked
out, from the figures shown or from the sums they are parts of (issue 15,
point 6).

A table is a set of counts, each under a key, and the sums a reader knows
hold between them (``Sum``: a total and its parts, such as a month's reports
and the same reports by category). ``suppress`` decides every cell:

1. Primary suppression: a count from 1 to K-1 is withheld and shown as
   "fewer than K" (``Mark.FEWER``). 0 is shown: it says nobody, and hiding it
   would hide nothing.
2. A breakdown of a total that is "fewer than K" is not shown at all, zeros
   included (four categories in a month of "fewer than 5" could only hold 1
   each): every part is "not shown" (``Mark.NOT_SHOWN``).
3. Complementary suppression: wherever a withheld cell could still be worked
   out, the smallest shown count next to it is withheld too, as "not shown"
   ("fewer than K" would be false of it). That is when one sum has exactly
   one withheld cell (the total minus the other parts gives it), and when the
   bounds a reader knows (a withheld count is 1 to K-1, a complement K or
   more, a shown one exact) leave a withheld cell a single possible value
   through the sums (a month of 6 with parts "fewer than 5" and "not shown"
   can only be 1 and 5). Parts are withheld before totals, which are the
   figures people look for. Repeated until nothing changes.

Complements are never 0, and K or more; the bounds above assume the reader
knows that (and that the parts of a hidden breakdown can be anything from 0).
Where every cell around a pinned one is withheld already and the bounds of
"fewer than K" are what pins it, one of those is marked "not shown" instead,
which gives no upper bound. So "not shown" means only "withheld": the page
never says it is K or more.

The function is pure and the only place the rule lives: every figure that
reaches a page or a CSV comes out of it. Sums across tables that are not
declared here must not be published (no totals across months or years).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

__all__ = ["Cell", "Mark", "Sum", "median", "suppress"]

K = TypeVar("K", bound=Hashable)

# How many rounds of tightening bounds before giving up on finding more; each
# round can only narrow them, and a table of a month has a few dozen cells.
_ROUNDS = 64


class Mark(StrEnum):
    SHOWN = "shown"
    FEWER = "fewer"  # 1 to K-1
    NOT_SHOWN = "not_shown"  # withheld so that a "fewer" cell cannot be worked out


@dataclass(frozen=True)
class Cell:
    """A published count: ``value`` is None unless ``mark`` is SHOWN."""

    value: int | None
    mark: Mark = Mark.SHOWN

    @property
    def withheld(self) -> bool:
        return self.mark is not Mark.SHOWN


@dataclass(frozen=True)
class Sum(Generic[K]):
    """``total`` is the sum of ``parts``; the reader knows it, because both
    sides are on the page (or follow from it)."""

    total: K
    parts: tuple[K, ...]


def suppress(
    counts: Mapping[K, int], sums: Iterable[Sum[K]], *, min_count: int
) -> dict[K, Cell]:
    """Every count of ``counts`` as it may be published, with K = ``min_count``
    (1 or less publishes everything). Keys in ``sums`` must be in ``counts``."""
    if any(value < 0 for value in counts.values()):
        raise ValueError("counts cannot be negative")
    relations = list(sums)
    withheld: dict[K, Mark] = {}
    if min_count > 1:
        withheld = {key: Mark.FEWER for key, v in counts.items() if 0 < v < min_count}
        # The breakdown of fewer than K says too much (four categories in a
        # month of "fewer than 5" can only hold 1 each): none of it is shown.
        for relation in relations:
            if withheld.get(relation.total) is Mark.FEWER:
                withheld.update(dict.fromkeys(relation.parts, Mark.NOT_SHOWN))
        relabelled: set[K] = set()
        while (
            extra := _complement(counts, relations, withheld, relabelled, min_count)
        ) is not None:
            if extra in withheld:
                relabelled.add(extra)
            withheld[extra] = Mark.NOT_SHOWN
    return {
        key: Cell(None, withheld[key]) if key in withheld else Cell(value)
        for key, value in counts.items()
    }


def median(histogram: Mapping[int, int], *, min_count: int) -> float | None:
    """The median of values given as {value: how many}; None (withheld) when
    fewer than ``min_count`` are behind it, or none at all."""
    n = sum(histogram.values())
    if n == 0 or n < min_count:
        return None
    middle = _nth(histogram, (n - 1) // 2), _nth(histogram, n // 2)
    return sum(middle) / 2


def _nth(histogram: Mapping[int, int], index: int) -> int:
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if index < seen:
            return value
    raise IndexError(index)


def _complement(
    counts: Mapping[K, int],
    sums: Sequence[Sum[K]],
    withheld: Mapping[K, Mark],
    relabelled: set[K],
    min_count: int,
) -> K | None:
    """The next cell to withhold (or a "fewer" one to mark "not shown"), or
    None when every withheld one is safe."""
    for relation in sums:
        cells = (relation.total, *relation.parts)
        if sum(cell in withheld for cell in cells) == 1:
            found = _smallest_shown(counts, relation, withheld)
            if found is not None:
                return found
    low, high = _bounds(counts, sums, withheld, relabelled, min_count)
    pinned = [key for key in withheld if low[key] == high[key]]
    around = [
        relation
        for key in pinned
        for relation in sums
        if key == relation.total or key in relation.parts
    ]
    for relation in around:
        found = _smallest_shown(counts, relation, withheld)
        if found is not None:
            return found
    # Nothing left to withhold around it: what pins it is the bound "fewer
    # than K" gives. Then one of those is marked "not shown" instead, which
    # says nothing of its size: the total first, else the largest part.
    for relation in around:
        fewer = [
            key
            for key in (
                relation.total,
                *sorted(relation.parts, key=counts.__getitem__, reverse=True),
            )
            if withheld.get(key) is Mark.FEWER
        ]
        if fewer:
            return fewer[0]
    return None


def _smallest_shown(
    counts: Mapping[K, int], relation: Sum[K], withheld: Mapping[K, Mark]
) -> K | None:
    """The smallest shown count above 0 among the parts, else the total."""
    for group in (relation.parts, (relation.total,)):
        shown = [key for key in group if key not in withheld and counts[key] > 0]
        if shown:
            return min(shown, key=lambda key: counts[key])
    return None


def _bounds(
    counts: Mapping[K, int],
    sums: Sequence[Sum[K]],
    withheld: Mapping[K, Mark],
    relabelled: set[K],
    min_count: int,
) -> tuple[dict[K, float], dict[K, float]]:
    """The least and greatest value a reader can give each cell from what is
    shown, the marks and the sums (interval reasoning, tightened until stable)."""
    low: dict[K, float] = {}
    high: dict[K, float] = {}
    hidden_breakdown = {
        part
        for relation in sums
        if withheld.get(relation.total) is Mark.FEWER
        for part in relation.parts
    }
    for key, value in counts.items():
        mark = withheld.get(key, Mark.SHOWN)
        if mark is Mark.SHOWN:
            low[key] = high[key] = value
        elif mark is Mark.FEWER:
            low[key], high[key] = 1, min_count - 1
        else:
            low[key] = (
                0 if key in hidden_breakdown else 1 if key in relabelled else min_count
            )
            high[key] = math.inf
    for _ in range(_ROUNDS):
        changed = False
        for relation in sums:
            changed |= _tighten(relation, low, high)
        if not changed:
            break
    return low, high


def _tighten(relation: Sum[K], low: dict[K, float], high: dict[K, float]) -> bool:
    parts, total = relation.parts, relation.total
    new_low = {total: max(low[total], sum(low[p] for p in parts))}
    new_high = {total: min(high[total], sum(high[p] for p in parts))}
    for part in parts:
        others_high = sum(high[p] for p in parts if p != part)
        others_low = sum(low[p] for p in parts if p != part)
        new_low[part] = max(low[part], low[total] - others_high)
        new_high[part] = min(high[part], high[total] - others_low)
    changed = False
    for key in new_low:
        if new_low[key] > low[key] or new_high[key] < high[key]:
            low[key], high[key] = new_low[key], new_high[key]
            changed = True
    return changed
