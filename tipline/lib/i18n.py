"""Picking the right language out of texts stored as ``{"en": …, "zh-hans": …}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from django.conf import settings
from django.utils.translation import get_language

T = TypeVar("T")


def localized(texts: Mapping[str, T] | None) -> T | str:
    """The text in the active language, falling back to the default language
    (``""`` when there is none). Texts are strings, or lists of them."""
    if not texts:
        return ""
    language = (get_language() or settings.LANGUAGE_CODE).lower()
    for code in (language, language.split("-")[0], settings.LANGUAGE_CODE):
        if code in texts:
            return texts[code]
    return next(iter(texts.values()))
