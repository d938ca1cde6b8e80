"""The guardrail on the report form (issue 15, point 3): a gentle reminder when a
report names a protected characteristic but describes no behaviour.

A report about someone's religion, nationality or opinions is not a report about
anything they did (DESIGN.md, principle 2). Before a report is sent its text is
checked against word lists shipped in the profile (and edited by administrators):
``protected`` words (ethnicities, religions, nationalities, political opinions, …)
and ``behaviour`` cues (asked, offered, photographed, 要求, 拍摄, …). A text that
has a protected word and no cue gets a reminder to describe what the person did;
the reporter may always send it anyway. Nothing about a hit is stored or logged.

Matching is on normalised text (NFKC, which folds full-width letters and other
look-alikes, then case folding, with invisible format characters removed). A word
in a script written with spaces matches whole words only ("arab" is not in
"arable"); a trailing ``*`` matches any ending ("photograph*"). Chinese and
Japanese words match anywhere, as those scripts have no spaces between words.
The script tipline/static/tipline/guardrail.js does the same in the browser.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

LIST_KINDS = ("protected", "behaviour")
MAX_WORDS = 400  # per kind and language
MAX_WORD_CHARS = 60
# Scripts written without spaces between words: matched as substrings.
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class GuardrailInvalid(ValueError):
    """A word list breaks the rules (its message says which and why)."""


def normalise(text: str) -> str:
    """NFKC, case folded, without format characters (zero-width spaces, joiners)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def clean_lists(raw: Any, languages: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """The lists normalised (see ``normalise``), without repeats, in their order;
    GuardrailInvalid for anything but bounded lists of non-empty words."""
    if not isinstance(raw, dict) or set(raw) - set(LIST_KINDS):
        raise GuardrailInvalid(f"the guardrail has lists {', '.join(LIST_KINDS)}")
    codes = list(languages)
    cleaned: dict[str, dict[str, list[str]]] = {}
    for kind in LIST_KINDS:
        by_language = raw.get(kind, {})
        if not isinstance(by_language, dict) or set(by_language) - set(codes):
            raise GuardrailInvalid(
                f"{kind}: one list per language ({', '.join(codes)})"
            )
        cleaned[kind] = {
            code: _clean_words(by_language.get(code, []), f"{kind}.{code}")
            for code in codes
        }
    return cleaned


def _clean_words(words: Any, where: str) -> list[str]:
    if not isinstance(words, list) or len(words) > MAX_WORDS:
        raise GuardrailInvalid(f"{where}: a list of at most {MAX_WORDS} words")
    seen: dict[str, None] = {}
    for word in words:
        if not isinstance(word, str):
            raise GuardrailInvalid(f"{where}: {word!r} is not a word")
        text = normalise(word).strip()
        if not text.rstrip("*").strip():
            raise GuardrailInvalid(f"{where}: a word is empty")
        if len(text) > MAX_WORD_CHARS or "*" in text[:-1] or "\n" in text:
            raise GuardrailInvalid(
                f"{where}: {word!r} must be one line of at most {MAX_WORD_CHARS} "
                "characters, with * only at its end"
            )
        seen[text] = None
    return list(seen)


def needs_reminder(texts: Iterable[str], lists: dict[str, Any]) -> bool:
    """Whether the texts name a protected characteristic with no behaviour cue."""
    text = normalise("\n".join(texts))
    if not text.strip():
        return False
    return _matches(text, _words(lists, "protected")) and not _matches(
        text, _words(lists, "behaviour")
    )


def _words(lists: dict[str, Any], kind: str) -> tuple[str, ...]:
    by_language = lists.get(kind) or {}
    return tuple(word for words in by_language.values() for word in words)


def _matches(text: str, words: tuple[str, ...]) -> bool:
    pattern = _pattern(words)
    return pattern is not None and pattern.search(text) is not None


@functools.lru_cache(maxsize=32)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [_part(word) for word in words if word.rstrip("*")]
    return re.compile("|".join(parts)) if parts else None


def _part(word: str) -> str:
    stem = word.rstrip("*")
    if UNSPACED.search(stem):
        return re.escape(stem)
    ending = r"\w*" if word.endswith("*") else ""
    return rf"(?<!\w){re.escape(stem)}{ending}(?!\w)"
