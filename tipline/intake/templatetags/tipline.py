from __future__ import annotations

from typing import Any

from django import template

from tipline.audit import actions
from tipline.intake.scrub.messages import REMOVED_LABELS
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
