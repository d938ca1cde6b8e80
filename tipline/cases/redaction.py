"""Hiding names and details from the working view of a case (issue 12, point 5).

A hidden term is replaced by a numbered placeholder ("[hidden 1]") in everything
the case page shows, and the list of hidden terms shows only the placeholders, so
a colleague never reads what an analyst chose to hide. Matching ignores case and
compatibility forms (full-width letters, ligatures, composed or decomposed
accents: NFKC then casefold, compared decomposed), treats any run of white space
as one space and skips invisible format characters (zero-width spaces, soft
hyphens, direction marks) and reads curly quotes and dashes as straight ones, so
a reporter's odd spelling does not let the term through. Look-alike letters of
other scripts (a Cyrillic o, U+043E, in a Latin name) are not matched: they are
different letters, and a table of confusables would hide unrelated words. A term
found inside a longer word hides the match: hiding too much is the safe side.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from django.utils.translation import gettext as _

# Punctuation that NFKC leaves apart but people type interchangeably in names
# (O'Brien typed with U+2019, Jean-Luc with an en dash).
_SAME_PUNCTUATION = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201b\u02bc\u2032\uff07", "'"),
        **dict.fromkeys("\u201c\u201d\u201f\u2033\uff02", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)


def placeholder(number: int) -> str:
    return _("[hidden %(number)s]") % {"number": number}


def _fold_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":
        return ""
    if char.isspace():
        return " "
    folded = unicodedata.normalize("NFKC", char).casefold()
    return unicodedata.normalize("NFKD", folded).translate(_SAME_PUNCTUATION)


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` folded for matching, and for each folded character the index of
    the character of ``text`` it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in _fold_char(char):
            if piece == " " and out and out[-1] == " ":
                continue
            out.append(piece)
            origin.append(index)
    return "".join(out), origin


class Redactor:
    """Replaces each of ``terms`` (numbered from 1, in order) in any text."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.numbers: dict[str, int] = {}
        for number, term in enumerate(terms, start=1):
            folded = fold(term)[0].strip()
            if folded:
                self.numbers.setdefault(folded, number)
        longest_first = sorted(self.numbers, key=len, reverse=True)
        self.pattern = (
            re.compile("|".join(re.escape(term) for term in longest_first))
            if longest_first
            else None
        )

    def __call__(self, text: str) -> str:
        if self.pattern is None or not text:
            return text
        folded, origin = fold(text)
        pieces: list[str] = []
        cursor = 0
        for match in self.pattern.finditer(folded):
            start = max(origin[match.start()], cursor)
            end = origin[match.end() - 1] + 1
            if end <= cursor:
                continue
            pieces += [text[cursor:start], placeholder(self.numbers[match.group()])]
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces)
