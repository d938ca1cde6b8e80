from __future__ import annotations

from typing import Any

from django import template

from tipline.audit import actions
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
