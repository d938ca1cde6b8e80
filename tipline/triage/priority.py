"""A transparent priority score: the sum of rules administrators set, each shown
with its reason on the case page.

Parts: a weight per category, a weight per keyword found in the report (matched
at intake while the text is in memory), a weight per linked report, and a weight
per day an open case has waited.

Which words matched and their points are encrypted with the case (issue 12,
point 6): with distinct weights, an exact keyword sum in clear tells which
sensitive words a report contains, and so would the exact total, since every
other part follows from clear columns. The clear ``priority`` the inbox sorts by
therefore counts the keyword points rounded down to a power of two
(``keyword_floor``, also clear so `refresh` can recompute without any key); the
case page shows the exact score to staff holding the case key
(tipline.cases.priority seals, explains and refreshes; this module only counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache

from tipline.triage.models import PriorityRule

RULES_CACHE_KEY = "tipline:priority-rules"
RULES_CACHE_SECONDS = 10


@dataclass(frozen=True)
class Rules:
    category: dict[int, int]
    keywords: list[tuple[str, int]]
    per_link: int
    per_day: int


def load_rules() -> Rules:
    """The rules, cached per process for RULES_CACHE_SECONDS (one query less on
    every report); saving a rule clears this process's copy at once."""
    rules: Rules | None = cache.get(RULES_CACHE_KEY)
    if rules is None:
        rules = read_rules()
        cache.set(RULES_CACHE_KEY, rules, RULES_CACHE_SECONDS)
    return rules


def forget_rules() -> None:
    cache.delete(RULES_CACHE_KEY)


def read_rules() -> Rules:
    category: Counter[int] = Counter()
    keywords: list[tuple[str, int]] = []
    per_link = per_day = 0
    for rule in PriorityRule.objects.all():
        if rule.kind == PriorityRule.Kind.CATEGORY and rule.category_id:
            category[rule.category_id] += rule.weight
        elif rule.kind == PriorityRule.Kind.KEYWORD and rule.keyword.strip():
            keywords.append((rule.keyword.strip().casefold(), rule.weight))
        elif rule.kind == PriorityRule.Kind.LINKED:
            per_link += rule.weight
        elif rule.kind == PriorityRule.Kind.AGE:
            per_day += rule.weight
    return Rules(dict(category), keywords, per_link, per_day)


@dataclass(frozen=True)
class KeywordMatch:
    hits: list[tuple[str, int]]

    @property
    def points(self) -> int:
        return sum(weight for _, weight in self.hits)

    @property
    def words(self) -> list[str]:
        return [word for word, _ in self.hits]


def match_keywords(texts: Iterable[str], rules: Rules) -> KeywordMatch:
    """The keyword rules found in the report (substring match: works for Chinese)."""
    haystack = "\n".join(texts).casefold()
    return KeywordMatch(
        [(word, weight) for word, weight in rules.keywords if word in haystack]
    )


def coarse(points: int) -> int:
    """``points`` rounded towards zero to a power of two (0 stays 0).

    What the database keeps in clear of a keyword sum: 37 + 21 and 40 + 18 both
    read 32, so the stored value names a range, not a set of words, and every
    keyword rule still moves a case up the inbox whatever its scale.
    """
    if points == 0:
        return 0
    magnitude = 1 << (abs(points).bit_length() - 1)
    return magnitude if points > 0 else -magnitude


def score(
    *,
    category_id: int,
    keyword_points: int,
    linked: int,
    created_at: datetime,
    closed: bool,
    rules: Rules,
    now: datetime,
) -> tuple[int, list[list[Any]]]:
    """The score and its reasons as [code, amount, points]."""
    reasons: list[list[Any]] = []
    weight = rules.category.get(category_id, 0)
    if weight:
        reasons.append(["category", 0, weight])
    if keyword_points:
        reasons.append(["keywords", 0, keyword_points])
    if linked and rules.per_link:
        reasons.append(["linked", linked, linked * rules.per_link])
    days = (now - created_at).days
    if not closed and days > 0 and rules.per_day:
        reasons.append(["age", days, days * rules.per_day])
    return sum(points for *_, points in reasons), reasons
