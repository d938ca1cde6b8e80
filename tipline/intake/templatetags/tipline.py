from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.template.defaultfilters import date
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from tipline.audit import actions
from tipline.lib import clock
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
