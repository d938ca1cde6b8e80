from __future__ import annotations

from typing import Any

from django import template
from django.db import DatabaseError

from tipline.audit import actions
from tipline.intake import answers as _answers
from tipline.intake import profiles as _profiles
from tipline.intake.models import Category, Profile
from tipline.intake.scrub.messages import REMOVED_LABELS, remaining_labels
from tipline.intake.scrub.result import Remaining
from tipline.lib.i18n import localized as _localized

register = template.Library()


@register.filter
def localized(texts: dict[str, Any] | None) -> Any:
    """``{{ field.label|localized }}``: a stored ``{"en": …, "zh-hans": …}`` text."""
    return _localized(texts)


@register.filter
def action_label(action: str) -> str:
    """``{{ event.action|action_label }}``: an audit action code in words."""
    return actions.label(action)


@register.filter
def removed_labels(codes: list[str]) -> list[str]:
    """``{{ details.removed|removed_labels }}``: what was removed, in words."""
    return [str(REMOVED_LABELS[code]) for code in codes if code in REMOVED_LABELS]


@register.filter
def remaining_in_words(details: dict[str, Any]) -> list[str]:
    """``{{ file.details|remaining_in_words }}``: what could not be removed, in the
    file itself and in what is embedded in it, in words."""
    found = [Remaining(code, inside) for code, inside in details.get("remaining", [])]
    return remaining_labels(found, embedded=False) + remaining_labels(
        found, embedded=True
    )


@register.simple_tag
def shown_answers(
    answers: list[dict[str, Any]], category: Category | None
) -> list[_answers.ShownAnswer]:
    """``{% shown_answers plain.answers category as rows %}``: answers with chosen
    values in words, in the reader's language (tipline.intake.answers)."""
    return _answers.shown_answers(answers, category)


@register.simple_tag(takes_context=True)
def profile_text(context: template.Context, key: str) -> str:
    """``{% profile_text "site_name" %}``: a public text worded by the active
    profile, in the reader's language (tipline.intake.profiles.PUBLIC_TEXTS)."""
    return _profiles.public_text(_active_profile(context), key)


def _active_profile(context: template.Context) -> Profile | None:
    given = context.get("profile")
    if isinstance(given, Profile):
        return given
    request = context.get("request")
    if request is None:
        # The 500 page renders without a request: ask no database for words.
        return None
    if not hasattr(request, "_tipline_profile"):
        try:
            request._tipline_profile = Profile.objects.filter(active=True).first()
        except DatabaseError:
            request._tipline_profile = None
    profile: Profile | None = request._tipline_profile
    return profile
