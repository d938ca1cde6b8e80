from __future__ import annotations

from typing import Any

from django import template

from tipline.lib.i18n import localized as _localized

register = template.Library()


@register.filter
def localized(texts: dict[str, Any] | None) -> Any:
    """``{{ field.label|localized }}``: a stored ``{"en": …, "zh-hans": …}`` text."""
    return _localized(texts)
