"""The forms of Settings > Site: every check an administrator's input passes
before it reaches a public page (issue 15, points 9 and 10)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tipline.profiles import branding
from tipline.profiles.models import Site

LANGUAGES = (("en", _("English")), ("zh", _("Chinese")))
CODES = {"en": "en", "zh": "zh-hans"}
MAX_PHONE_LINES = 5
ONION = re.compile(r"(?:https?://)?[a-z2-7]{56}\.onion/?")
PHONE_NUMBER = re.compile(r"\+?[0-9][0-9 ()-]{1,23}[0-9]")
NEEDS_HTTPS = _("Use an address that starts with https://.")
BAD_COLOUR = _("Enter a colour as # and six hexadecimal digits, for example #0b4f8a.")
CONTRAST = {
    "primary": _(
        "The main colour has a contrast of only %(ratio)s:1 with white (the text "
        "of its buttons, the page behind its links); WCAG AA needs at least "
        "4.5:1. Choose a darker main colour."
    ),
    "header": _(
        "The header's links, in the main colour, have a contrast of only "
        "%(ratio)s:1 on the header colour; WCAG AA needs at least 4.5:1."
    ),
    "header_text": _(
        "Dark text on the header colour has a contrast of only %(ratio)s:1; WCAG "
        "AA needs at least 4.5:1. Choose a lighter header colour."
    ),
}


class BilingualForm(forms.Form):
    """A form whose texts have one field per language, ``<name>_en`` and
    ``<name>_zh``; ``texts(name)`` gives them back as the stored dict."""

    texts_fields: tuple[tuple[str, Any, int, bool], ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, max_length, long in self.texts_fields:
            for suffix, language in LANGUAGES:
                self.fields[f"{name}_{suffix}"] = forms.CharField(
                    label=format_lazy("{} ({})", label, language),
                    max_length=max_length,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}) if long else None,
                )

    @classmethod
    def initial_texts(cls, site: Site) -> dict[str, str]:
        return {
            f"{name}_{suffix}": getattr(site, name).get(CODES[suffix], "")
            for name, _label, _max, _long in cls.texts_fields
            for suffix, _language in LANGUAGES
        }

    def texts(self, name: str) -> dict[str, str]:
        long = {field: multiline for field, _, _, multiline in self.texts_fields}
        found = {
            CODES[suffix]: self.cleaned_data[f"{name}_{suffix}"].strip()
            for suffix, _language in LANGUAGES
        }
        if not long[name]:
            # A one-line text stays one line (the header, the signed statement).
            found = {code: " ".join(text.split()) for code, text in found.items()}
        return {code: text for code, text in found.items() if text}


class IdentityForm(BilingualForm):
    texts_fields = (
        ("organisation_name", _("Organisation name"), 100, False),
        ("emergency", _("Emergency line"), 300, False),
        ("contact", _("Contact (Markdown)"), 2000, True),
    )
    colour_primary = forms.CharField(
        label=_("Main colour"),
        max_length=7,
        help_text=_("Links, buttons and the header's line, for example #0b4f8a."),
    )
    colour_header = forms.CharField(
        label=_("Header colour"),
        max_length=7,
        help_text=_("The header's background, for example #ffffff."),
    )
    quick_exit_url = forms.URLField(
        label=_("Quick exit address"),
        max_length=200,
        assume_scheme="https",
        help_text=_(
            "A neutral site on another address, opened by “Leave this site "
            "quickly”, for example https://www.bbc.com/weather."
        ),
    )

    def __init__(self, *args: Any, own_hosts: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_hosts = own_hosts
        self.order_fields(["organisation_name_en", "organisation_name_zh"])

    def clean_colour_primary(self) -> str:
        return _colour(self.cleaned_data["colour_primary"])

    def clean_colour_header(self) -> str:
        return _colour(self.cleaned_data["colour_header"])

    def clean_quick_exit_url(self) -> str:
        url: str = self.cleaned_data["quick_exit_url"]
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.username or parts.password:
            raise forms.ValidationError(NEEDS_HTTPS)
        if (parts.hostname or "").lower() in self.own_hosts:
            raise forms.ValidationError(
                _(
                    "Use an address on another site: this site's own address would "
                    "not leave it."
                )
            )
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        primary, header = data.get("colour_primary"), data.get("colour_header")
        if primary and header:
            for failure in branding.contrast_failures(primary=primary, header=header):
                ratio = {
                    "primary": (primary, branding.WHITE),
                    "header": (primary, header),
                    "header_text": (branding.BODY_TEXT, header),
                }[failure]
                field = "colour_primary" if failure == "primary" else "colour_header"
                self.add_error(
                    field,
                    forms.ValidationError(
                        CONTRAST[failure],
                        params={"ratio": f"{branding.contrast_ratio(*ratio):.1f}"},
                    ),
                )
        return data


class ChannelsForm(BilingualForm):
    texts_fields = (
        ("postal_address", _("Postal address"), 500, True),
        ("in_person", _("Reporting in person"), 1000, True),
    )
    web_address = forms.URLField(
        label=_("Official web address"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("For example https://report.example.org/"),
    )
    onion_address = forms.CharField(
        label=_("Official onion address"),
        max_length=100,
        required=False,
        help_text=_(
            "The site's address in Tor Browser: 56 letters and digits, then .onion"
        ),
    )
    phone_lines = forms.CharField(
        label=_("Phone lines"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One line each: the number, then the hours in English, then in Chinese, "
            "separated by |. For example: +44 20 7946 0000 | Monday to Friday, 9:00 "
            "to 17:00 | 周一至周五 9:00-17:00"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["web_address", "onion_address", "phone_lines"])

    def clean_web_address(self) -> str:
        url: str = self.cleaned_data["web_address"]
        if url and urlsplit(url).scheme != "https":
            raise forms.ValidationError(NEEDS_HTTPS)
        return url

    def clean_onion_address(self) -> str:
        onion: str = self.cleaned_data["onion_address"].strip().lower()
        if onion and not ONION.fullmatch(onion):
            raise forms.ValidationError(
                _("Enter a version 3 onion address: 56 letters and digits, then .onion")
            )
        return onion

    def clean_phone_lines(self) -> list[dict[str, Any]]:
        lines = [
            line.strip()
            for line in self.cleaned_data["phone_lines"].splitlines()
            if line.strip()
        ]
        if len(lines) > MAX_PHONE_LINES:
            raise forms.ValidationError(
                _("Enter at most %(count)s phone lines."),
                params={"count": MAX_PHONE_LINES},
            )
        return [_phone_line(number, line) for number, line in enumerate(lines, 1)]

    @staticmethod
    def phone_lines_text(lines: list[dict[str, Any]]) -> str:
        return "\n".join(
            " | ".join(
                [
                    line["number"],
                    *(line.get("hours", {}).get(c, "") for c in CODES.values()),
                ]
            ).rstrip(" |")
            for line in lines
        )


class LogoForm(BilingualForm):
    texts_fields = (("logo_alt", _("Logo's text alternative"), 200, False),)
    logo = forms.FileField(
        label=_("Logo (PNG or JPEG)"),
        required=False,
        help_text=_(
            "At most 2 MB. It is converted to a PNG of at most 1024 pixels a side; "
            "nothing but its pixels is kept."
        ),
    )
    remove = forms.BooleanField(label=_("Remove the logo"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["logo"])
        self.png: bytes | None = None

    def clean_logo(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("logo")
        if upload is None:
            return None
        data = upload.read(branding.MAX_LOGO_UPLOAD_BYTES + 1)
        if len(data) > branding.MAX_LOGO_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "The logo must be at most 2 MB. Nothing was saved: choose a "
                    "smaller file."
                )
            )
        try:
            self.png = branding.reencode_logo(data)
        except branding.LogoRefused as refused:
            message = (
                _(
                    "The image has too many pixels: at most 4096 by 4096. Nothing "
                    "was saved."
                )
                if str(refused) == "too many pixels"
                else _(
                    "Choose a PNG or JPEG image. Other formats, SVG among them, are "
                    "refused: they can carry script. Nothing was saved."
                )
            )
            raise forms.ValidationError(message) from refused
        return upload


def _colour(value: str) -> str:
    colour = branding.normalise_colour(value)
    if colour is None:
        raise forms.ValidationError(BAD_COLOUR)
    return colour


def _phone_line(number: int, line: str) -> dict[str, Any]:
    parts = [part.strip() for part in line.split("|")]
    if not PHONE_NUMBER.fullmatch(parts[0]) or len(parts) > 3:
        raise forms.ValidationError(
            _(
                "Line %(line)s: start with the phone number, then up to two texts "
                "for the hours, separated by |. For example: +44 20 7946 0000 | "
                "Monday to Friday | 周一至周五"
            ),
            params={"line": number},
        )
    hours = dict(zip(CODES.values(), parts[1:], strict=False))
    return {"number": parts[0], "hours": {c: t for c, t in hours.items() if t}}
