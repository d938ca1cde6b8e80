"""Answers as people read them: choice values turned into their labels.

A choice answer is stored as the value the reporter picked (``saw_myself``), not as
the words they saw, so a report reads in the language of whoever opens it and the
stored answers never change. The label is looked up here, in the active language,
from the category's questionnaire as it is now. A value the questionnaire no longer
offers is shown as stored and marked as such, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tipline.lib.i18n import localized
from tipline.profiles.loader import CHOICE_TYPES
from tipline.profiles.models import Category


@dataclass(frozen=True)
class ShownChoice:
    value: str
    label: str
    # The questionnaire no longer offers this value: ``label`` is the stored value.
    retired: bool


@dataclass(frozen=True)
class ShownAnswer:
    name: str
    label: str
    # Free text as typed, or the chosen labels joined (for plain-text readers).
    text: str
    is_choice: bool
    choices: list[ShownChoice] = field(default_factory=list)


def shown_answers(
    answers: list[dict[str, Any]], category: Category | None
) -> list[ShownAnswer]:
    """Each stored answer with its question and any chosen labels in the active
    language (pure: reads only ``category.fields``)."""
    specs = {spec["name"]: spec for spec in (category.fields if category else [])}
    return [_shown(answer, specs.get(answer.get("name", ""))) for answer in answers]


def answer_texts(value: Any) -> list[str]:
    """A stored value as a list of strings (a multiple choice holds several)."""
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)] if value not in (None, "") else []


def _shown(answer: dict[str, Any], spec: dict[str, Any] | None) -> ShownAnswer:
    value = answer.get("value")
    label = localized(answer.get("label")) or (
        localized(spec["label"]) if spec else answer.get("name", "")
    )
    if not _is_choice(answer, spec, value):
        return ShownAnswer(
            name=answer.get("name", ""),
            label=label,
            text="; ".join(answer_texts(value)),
            is_choice=False,
        )
    offered = {
        c["value"]: localized(c["label"])
        for c in ((spec or {}).get("choices") or [])
        if (spec or {}).get("type") in CHOICE_TYPES
    }
    choices = [
        ShownChoice(
            value=item, label=offered.get(item, item), retired=item not in offered
        )
        for item in answer_texts(value)
    ]
    return ShownAnswer(
        name=answer.get("name", ""),
        label=label,
        text="; ".join(choice.label for choice in choices),
        is_choice=True,
        choices=choices,
    )


def _is_choice(answer: dict[str, Any], spec: dict[str, Any] | None, value: Any) -> bool:
    # Reports stored before answers carried their type are judged by the
    # questionnaire as it is now; a list can only come from a multiple choice.
    if "type" in answer:
        return answer["type"] in CHOICE_TYPES
    return isinstance(value, list) or bool(spec and spec.get("type") in CHOICE_TYPES)
