from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.db import DatabaseError
from django.template.defaultfilters import date
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from tipline.audit import actions
from tipline.lib import clock
from tipline.lib.i18n import localized as _localized
from tipline.profiles import answers as _answers
from tipline.profiles import loader as _profiles
from tipline.profiles.models import Category, Profile
from tipline.scrub.messages import REMOVED_LABELS, remaining_labels
from tipline.scrub.result import Remaining

register = template.Library()


@register.filter
def localized(texts: Mapping[str, object] | None) -> object:
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
    values in words, in the reader's language (tipline.profiles.answers)."""
    return _answers.shown_answers(answers, category)


@register.simple_tag(takes_context=True)
def profile_text(context: template.Context, key: str) -> str:
    """``{% profile_text "site_name" %}``: a public text worded by the active
    profile, in the reader's language (tipline.profiles.loader.PUBLIC_TEXTS)."""
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


@register.simple_tag
def event_time(at: datetime, coarse: bool, exact_format: str = "Y-m-d H:i") -> str:
    """``{% event_time message.created_at message.time_is_coarse %}``: a time in a
    ``<time>`` element. A reporter's time is kept only to the hour, and is shown
    as that hour (2026-03-14 15:00 to 16:00), never as a minute it does not have.
    """
    if not coarse:
        # The machine-readable time as precise as the shown one, no more.
        shown = at.replace(microsecond=0)
        if "s" not in exact_format:
            shown = shown.replace(second=0)
        return format_html(
            '<time datetime="{}">{}</time>', date(shown, "c"), date(at, exact_format)
        )
    # Rounded here too: entries written before times were coarse show only the hour.
    start = localtime(clock.coarse(at))
    end = start + timedelta(hours=1)
    return format_html(
        '<time datetime="{}" title="{}">{} {}\N{EN DASH}{}</time>',
        date(start, "c"),
        _("Kept only to the hour"),
        date(start, "Y-m-d"),
        date(start, "H:i"),
        date(end, "H:i"),
    )
