"""Hiding names and details from the working view of a case (issue 12, point 5).

A hidden term is replaced by a numbered placeholder ("[hidden 1]") in everything
the case page shows, and the list of hidden terms shows only the placeholders, so
a colleague never reads what an analyst chose to hide. Matching ignores case,
compatibility forms (full-width letters, ligatures: NFKC then casefold) and
accents (compared decomposed, combining marks dropped), treats any run of white space
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
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tipline import crypto
from tipline.accounts.models import Role, User
from tipline.audit import services as audit
from tipline.cases.keys import data_key_for
from tipline.cases.models import Case, Redaction
from tipline.cases.workflow import CaseChangeRefused

MAX_REDACTION_CHARS = 200

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
    decomposed = unicodedata.normalize("NFKD", folded).translate(_SAME_PUNCTUATION)
    # Accents are dropped: "Jose Nunez" names José Núñez, and the Turkish
    # capital İ folds to i plus a dot above. Hiding more is the safe side.
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1  # the accents typed after the term's last letter
            pieces += [text[cursor:start], placeholder(self.numbers[match.group()])]
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces)


class UnhideNeedsSupervisor(CaseChangeRefused):
    def __init__(self) -> None:
        super().__init__(_("Only a supervisor can show a hidden detail again."))


@transaction.atomic
def add_redaction(*, case: Case, user: User, private_key: bytes, term: str) -> None:
    """Hide ``term`` (a name, a detail) wherever it appears in the working view."""
    term = term.strip()
    folded = fold(term)[0].strip()
    if len(folded) < 2 or len(term) > MAX_REDACTION_CHARS:
        raise CaseChangeRefused(
            _("Enter between 2 and %(max)s characters to hide.")
            % {"max": MAX_REDACTION_CHARS}
        )
    data_key = data_key_for(case=case, user=user, private_key=private_key)
    redaction = Redaction(
        case=case, created_by=user, created_at=timezone.now(), salt=crypto.new_salt()
    )
    redaction.term_encrypted = crypto.encrypt(
        data_key, term.encode("utf-8"), context=redaction.context()
    )
    redaction.save()
    audit.record(
        action="case.redact",
        actor=user,
        target=f"case:{case.pk}",
        detail={"redaction": redaction.pk},
    )


@transaction.atomic
def remove_redaction(*, case: Case, user: User, redaction_id: int) -> None:
    """Show a hidden term again: a supervisor's decision, audited. An analyst who
    could undo a colleague's redaction would make hiding pointless."""
    if user.role != Role.SUPERVISOR:
        raise UnhideNeedsSupervisor
    redaction = Redaction.objects.filter(case=case, pk=redaction_id).first()
    if redaction is None:
        raise CaseChangeRefused(_("That detail is no longer hidden."))
    number = case.redactions.filter(pk__lte=redaction.pk).count()
    redaction.delete()
    audit.record(
        action="case.unredact",
        actor=user,
        target=f"case:{case.pk}",
        detail={"redaction": redaction_id, "placeholder": number},
    )


@dataclass(frozen=True)
class HiddenTerm:
    """A redaction as the case page lists it: its placeholder, never the term."""

    id: int
    label: str
    created_by: str
    created_at: datetime


def read_redactions(case: Case, data_key: bytes) -> list[tuple[HiddenTerm, str]]:
    """Each redaction in order with its decrypted term (which only the redactor
    applies; pages show ``HiddenTerm``)."""
    rows = case.redactions.select_related("created_by").order_by("pk")
    return [
        (
            HiddenTerm(
                id=redaction.pk,
                label=placeholder(number),
                created_by=(
                    redaction.created_by.get_username() if redaction.created_by else ""
                ),
                created_at=redaction.created_at,
            ),
            crypto.decrypt(
                data_key, bytes(redaction.term_encrypted), context=redaction.context()
            ).decode("utf-8"),
        )
        for number, redaction in enumerate(rows, start=1)
    ]


def redactor_for(case: Case, data_key: bytes) -> Redactor:
    """What hides the case's redacted terms from anything shown of it."""
    return Redactor([term for _, term in read_redactions(case, data_key)])
