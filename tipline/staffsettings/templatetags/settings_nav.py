"""The settings area's navigation, and the staff header's one link into it."""

from __future__ import annotations

from typing import Any

from django import template

from tipline.staffsettings.pages import Page, pages_for

register = template.Library()


@register.inclusion_tag("staffsettings/_nav.html", takes_context=True)
def settings_nav(context: template.Context) -> dict[str, Any]:
    """``{% settings_nav %}``: the settings pages the signed-in user may open; the
    one the view named as ``settings_page`` is marked as current."""
    current = context.get("settings_page")
    return {
        "entries": [
            {"label": page.label, "url": page.url(), "current": page.name == current}
            for page in _pages(context)
        ]
    }


@register.simple_tag(takes_context=True)
def settings_home(context: template.Context) -> str:
    """``{% settings_home as url %}``: the first settings page the signed-in user
    may open, or "" when there is none (and so no Settings link)."""
    pages = _pages(context)
    return pages[0].url() if pages else ""


def _pages(context: template.Context) -> list[Page]:
    request = context.get("request")
    return pages_for(request.user) if request is not None else []
