"""The statement /verify-this-site/ publishes and the organisation signs: the
official addresses, the signing certificate's fingerprint and a date, in both
languages, as plain UTF-8 text (issue 15, point 10)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone, translation

from tipline.lib.i18n import localized
from tipline.profiles.loader import public_text
from tipline.profiles.models import Profile, Site

# The statement is one file for every reader, so its words are data in both
# languages rather than translated messages (a translated file would need one
# signature per language).
LINES = {
    "title": {
        "en": "Official channels of {name}",
        "zh-hans": "{name}的官方渠道",
    },
    "web": {"en": "Web address", "zh-hans": "网址"},
    "onion": {"en": "Onion address (Tor Browser)", "zh-hans": "洋葱地址（Tor 浏览器）"},  # noqa: RUF001 -- Chinese punctuation
    "fingerprint": {
        "en": "SHA-256 fingerprint of the certificate that signs this statement "
        "and our commendation certificates",
        "zh-hans": "签署本声明和表彰证书的证书的 SHA-256 指纹",
    },
    "date": {"en": "Stated on", "zh-hans": "声明日期"},
    "none": {"en": "(not published)", "zh-hans": "（未公布）"},  # noqa: RUF001 -- Chinese punctuation
    "check": {
        "en": "Any other address is not ours. This file is signed: "
        "statement.txt.p7s is its signature.",
        "zh-hans": "其他任何地址都不是我们的。本文件已签名："  # noqa: RUF001 -- Chinese punctuation
        "statement.txt.p7s 是它的签名。",
    },
}
LANGUAGES = ("en", "zh-hans")
SEPARATOR = {"en": ": ", "zh-hans": "："}  # noqa: RUF001 -- Chinese punctuation


def statement_date(site: Site) -> date:
    """When the addresses were last set (today if they never were)."""
    when = site.updated_at or timezone.now()
    return timezone.localdate(when)


def statement_text(*, site: Site, profile: Profile | None, fingerprint: str) -> bytes:
    """The statement, UTF-8 with LF line ends: English, then Chinese."""
    blocks = []
    for language in LANGUAGES:
        with translation.override(language):
            name = str(localized(site.organisation_name)) or public_text(
                profile, "site_name"
            )
        # One line: a name cannot add lines of its own to what is signed.
        name = " ".join(name.split())
        none, sep = LINES["none"][language], SEPARATOR[language]
        blocks.append(
            "\n".join(
                [
                    LINES["title"][language].format(name=name),
                    "",
                    f"{LINES['web'][language]}{sep}{site.web_address or none}",
                    f"{LINES['onion'][language]}{sep}{site.onion_address or none}",
                    f"{LINES['fingerprint'][language]}{sep.strip()}",
                    f"  {fingerprint}",
                    f"{LINES['date'][language]}{sep}{statement_date(site).isoformat()}",
                    "",
                    LINES["check"][language],
                ]
            )
        )
    return ("\n\n".join(blocks) + "\n").encode()
