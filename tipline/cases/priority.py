"""Priority scores of stored cases: the keyword hits sealed with the case, the
exact score explained to staff, and the stored scores recomputed when rules or
links change. The score itself is triage's (tipline.triage.priority): a pure sum
of the rules administrators set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from tipline import crypto
from tipline.cases.models import Case, Status
from tipline.triage.priority import KeywordMatch, Rules, load_rules, read_rules, score

BATCH = 1000


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
    rules = read_rules()
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
