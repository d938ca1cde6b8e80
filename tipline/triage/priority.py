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
case page shows the exact score to staff holding the case key.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from tipline import crypto
from tipline.cases.models import Case, Status
from tipline.triage.models import PriorityRule

BATCH = 1000
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
        rules = _read_rules()
        cache.set(RULES_CACHE_KEY, rules, RULES_CACHE_SECONDS)
    return rules


def forget_rules() -> None:
    cache.delete(RULES_CACHE_KEY)


def _read_rules() -> Rules:
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


def seal_keyword_hits(
    hits: list[tuple[str, int]], data_key: bytes, report_id: int
) -> bytes:
    """The matched words with their points, encrypted with the case's data key."""
    payload = {"hits": [[word, weight] for word, weight in hits]}
    return crypto.encrypt(
        data_key,
        json.dumps(payload, ensure_ascii=False).encode(),
        context=keyword_context(report_id),
    )


def keyword_context(report_id: int) -> bytes:
    return f"report:{report_id}:priority-keywords".encode()


def read_keyword_hits(case: Case, data_key: bytes) -> KeywordMatch:
    """The words that matched at intake and their points. Cases from before issue
    12 stored only the words: their points are the current rules' weights."""
    if case.keyword_hits_encrypted is None:
        return KeywordMatch([])
    stored: Any = json.loads(
        crypto.decrypt(
            data_key,
            bytes(case.keyword_hits_encrypted),
            context=keyword_context(case.report_id),
        )
    )
    if isinstance(stored, dict):
        return KeywordMatch([(str(w), int(p)) for w, p in stored.get("hits", [])])
    weights = dict(load_rules().keywords)
    return KeywordMatch([(str(word), weights.get(word, 0)) for word in stored])


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


@dataclass(frozen=True)
class Explained:
    total: int
    reasons: list[tuple[str, int]]


def explain(case: Case, keywords: KeywordMatch) -> Explained:
    """The exact score and its reasons in words, for staff holding the case key
    (``keywords`` is what `read_keyword_hits` decrypted)."""
    linked = 0
    if case.group_id:
        linked = Case.objects.filter(group_id=case.group_id).count() - 1
    total, reasons = score(
        category_id=case.report.category_id,
        keyword_points=keywords.points,
        linked=linked,
        created_at=case.created_at,
        closed=case.status == Status.CLOSED,
        rules=load_rules(),
        now=timezone.now(),
    )
    return Explained(total, _in_words(case, reasons))


def _in_words(case: Case, reasons: list[list[Any]]) -> list[tuple[str, int]]:
    words = []
    for code, amount, points in reasons:
        if code == "category":
            text = _("Category: %(name)s") % {"name": case.report.category.local_title}
        elif code == "keywords":
            text = _("Priority keywords in the report")
        elif code == "linked":
            text = _("%(count)s linked reports") % {"count": amount}
        else:
            text = _("%(days)s days waiting") % {"days": amount}
        words.append((text, points))
    return words


def refresh(*, case_ids: Iterable[int] | None = None) -> int:
    """Recompute stored scores: for ``case_ids``, or for every open case.

    Only clear columns are read (the keyword part is ``keyword_floor``), so the
    worker recomputes without holding any case key."""
    rules = _read_rules()
    now = timezone.now()
    cases = Case.objects.select_related("report").only(
        "id",
        "status",
        "created_at",
        "group_id",
        "keyword_floor",
        "priority",
        "report__category_id",
    )
    if case_ids is None:
        cases = cases.exclude(status=Status.CLOSED)
    else:
        cases = cases.filter(pk__in=list(case_ids))
    changed = 0
    batch: list[Case] = []
    for case in cases.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(case)
        if len(batch) == BATCH:
            changed += _refresh_batch(batch, rules, now)
            batch = []
    if batch:
        changed += _refresh_batch(batch, rules, now)
    return changed


def _refresh_batch(batch: list[Case], rules: Rules, now: datetime) -> int:
    groups = {case.group_id for case in batch if case.group_id}
    sizes = dict(
        Case.objects.filter(group_id__in=groups)
        .values_list("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    changed = []
    for case in batch:
        linked = sizes.get(case.group_id, 1) - 1 if case.group_id else 0
        value, _reasons = score(
            category_id=case.report.category_id,
            keyword_points=case.keyword_floor,
            linked=linked,
            created_at=case.created_at,
            closed=case.status == Status.CLOSED,
            rules=rules,
            now=now,
        )
        if value != case.priority:
            case.priority = value
            changed.append(case)
    Case.objects.bulk_update(changed, ["priority"])
    return len(changed)
