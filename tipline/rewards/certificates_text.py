"""What a signed document says, in words, in one language: for its PDF and for
/verify/. Built from the statement alone, so both always say the same."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from tipline.rewards.certificates_pdf import Section

# How a document's language is asked for, and the languages it is printed in.
LANGUAGE_CHOICES: dict[str, list[str]] = {
    "en": ["en"],
    "zh-hans": ["zh-hans"],
    "both": ["en", "zh-hans"],
}
BOTH = LANGUAGE_CHOICES["both"]


def section_for(statement: dict[str, Any], language: str) -> Section:
    """The title and paragraphs of ``statement`` in ``language``."""
    with translation.override(language):
        if statement["kind"] == "acknowledgement":
            return _acknowledgement(statement)
        return _commendation(statement)


def _commendation(statement: dict[str, Any]) -> Section:
    name = statement["name"] or _("an anonymous member of the public")
    issued = formats.date_format(date.fromisoformat(statement["issued_on"]))
    return Section(
        title=_("Certificate of commendation"),
        paragraphs=[
            _("%(organisation)s commends")
            % {"organisation": statement["organisation"]},
            name,
            _("for a report that proved valuable to the public."),
            _("Issued on %(date)s.") % {"date": issued},
        ],
        code_label=_("Verification code"),
        qr_label=_("Check that this certificate is genuine at"),
        highlight=1,
    )


def _acknowledgement(statement: dict[str, Any]) -> Section:
    monday = date.fromisoformat(statement["week_of"])
    week = {
        "start": formats.date_format(monday),
        "end": formats.date_format(monday + timedelta(days=6)),
    }
    return Section(
        title=_("Acknowledgement of a report"),
        paragraphs=[
            _(
                "%(organisation)s confirms that it received a report in the week "
                "from %(start)s to %(end)s."
            )
            % {"organisation": statement["organisation"], **week},
            _(
                "Commitment to the report's content: %(commitment)s (nonce "
                "%(nonce)s). Only the holder of the report's receipt code can show "
                "which report it is."
            )
            % {"commitment": statement["commitment"], "nonce": statement["nonce"]},
        ],
        code_label=_("Verification code"),
        qr_label=_("Check that this acknowledgement is genuine at"),
    )
