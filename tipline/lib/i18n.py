"""Picking the right language out of texts stored as ``{"en": …, "zh-hans": …}``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language


def localized(texts: dict[str, Any] | None) -> Any:
    """The text in the active language, falling back to the default language."""
    if not texts:
        return ""
    language = (get_language() or settings.LANGUAGE_CODE).lower()
    for code in (language, language.split("-")[0], settings.LANGUAGE_CODE):
        if code in texts:
            return texts[code]
    return next(iter(texts.values()))
