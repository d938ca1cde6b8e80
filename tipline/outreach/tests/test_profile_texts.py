"""Every public page speaks the active profile's words (issue 11, point 9).

Under the whistleblowing profile nothing public may speak of national security or
of "suspicious" activity, and under the national-security profile nothing may speak
of whistleblowing: in English and in Chinese, on every public page, the error
pages, the receipt and follow-up pages, and the API's profile endpoint.
"""

import html as htmllib
import re

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from testkit.helpers import make_staff, post_form, receipt_in
from tipline.accounts.services import default_team
from tipline.outreach import views
from tipline.profiles.loader import PROFILE_DIR, load_profile, read_profile

pytestmark = pytest.mark.django_db

LANGUAGES = {"en": "en", "zh-hans": "zh-Hans"}
# Words of the *other* profile, which must not appear.
FOREIGN_WORDS = {
    "whistleblowing": {
        "en": ["national security", "suspicious", "Tipline", "espionage"],
        "zh-hans": ["国家安全", "可疑", "间谍"],
    },
    "national-security": {
        "en": ["whistleblow", "breach", "Whistleblowing channel"],
        "zh-hans": ["举报"],
    },
}


def visible_text(markup: str) -> str:
    """What a reader sees or hears: text and the attributes read aloud."""
    markup = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", markup)
    spoken = " ".join(re.findall(r'(?:aria-label|alt|title)="([^"]*)"', markup))
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", markup) + " " + spoken)


def strings_in(data) -> list[str]:
    """The texts of a JSON answer (its keys, such as not_suspicious, are not read)."""
    if isinstance(data, dict):
        return [text for value in data.values() for text in strings_in(value)]
    if isinstance(data, list):
        return [text for value in data for text in strings_in(value)]
    return [data] if isinstance(data, str) else []


def public_pages(profile_slug: str, accept: str) -> dict[str, str]:
    """Every public page a reporter can reach, rendered in one language."""
    headers = {"HTTP_ACCEPT_LANGUAGE": accept}
    client = Client(enforce_csrf_checks=True, **headers)
    first = read_profile(profile_slug)["categories"][0]["slug"]
    pages = {
        path: client.get(path)
        for path in [
            "/",
            "/report/",
            f"/report/{first}/",
            "/followup/",
            "/what-not-to-report/",
            "/no-such-page/",
        ]
    }
    pages["403 (no CSRF token)"] = client.post("/followup/", {"receipt": "1"})
    pages["400 (bad host)"] = client.get("/", HTTP_HOST="not-allowed.example")
    form = f"/report/{first}/"
    receipt_page = post_form(client, form, form, {"what_happened": "Seen at work"})
    pages["receipt"] = receipt_page
    receipt = receipt_in(receipt_page.content.decode())
    pages["follow-up"] = post_form(
        client, "/followup/", "/followup/", {"receipt": receipt}
    )
    pages["failed sign-in"] = post_form(
        client, "/followup/", "/followup/", {"receipt": "1" * 28}
    )
    request = RequestFactory().get("/", **headers)
    request.LANGUAGE_CODE = accept.lower()
    with translation.override(accept.lower()):
        pages["500"] = views.server_error(request)
    pages["API profile"] = client.get("/api/v1/profile")
    expected = {
        "/no-such-page/": 404,
        "403 (no CSRF token)": 403,
        "400 (bad host)": 400,
        "failed sign-in": 400,
        "500": 500,
    }
    for name, response in pages.items():
        assert response.status_code == expected.get(name, 200), name
    return {
        name: (
            " ".join(strings_in(response.json()))
            if name == "API profile"
            else visible_text(response.content.decode())
        )
        for name, response in pages.items()
    }


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("slug", sorted(FOREIGN_WORDS))
def test_public_pages_say_only_the_active_profiles_words(slug, language):
    load_profile(slug)
    make_staff("owner", default_team().slug)
    texts = read_profile(slug)["texts"]

    pages = public_pages(slug, LANGUAGES[language])

    for name, text in pages.items():
        for word in FOREIGN_WORDS[slug][language]:
            assert word.lower() not in text.lower(), f"{word!r} on {name} ({slug})"
        # Each page carries the profile's own name for the site.
        assert texts["site_name"][language] in text, name
    assert texts["home_heading"][language] in pages["/"]
    assert texts["guidance_intro"][language] in pages["/what-not-to-report/"]
    assert texts["false_reports"][language] in pages["/what-not-to-report/"]


def test_a_profile_without_texts_falls_back_to_neutral_words(tmp_path):
    bare = tmp_path / "bare.toml"
    bare.write_text(_without_texts("whistleblowing"), encoding="utf-8")
    load_profile(str(bare))

    home = visible_text(Client().get("/").content.decode())

    assert "Report safely" in home
    assert "suspicious" not in home.lower()


def _without_texts(slug: str) -> str:
    source = PROFILE_DIR / f"{slug}.toml"
    lines, skipping = [], False
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("[texts."):
            skipping = True
            continue
        if skipping and line.startswith("["):
            skipping = False
        if not skipping:
            lines.append(line)
    return "\n".join(lines) + "\n"


def test_unknown_or_half_translated_texts_are_refused(tmp_path):
    from tipline.profiles.loader import ProfileInvalid

    base = _without_texts("whistleblowing")
    (tmp_path / "typo.toml").write_text(
        base.replace(
            "[[not_suspicious]]",
            '[texts.home_headline]\nen = "x"\nzh-hans = "x"\n\n[[not_suspicious]]',
            1,
        ),
        encoding="utf-8",
    )
    (tmp_path / "half.toml").write_text(
        base.replace(
            "[[not_suspicious]]",
            '[texts.home_heading]\nen = "x"\n\n[[not_suspicious]]',
            1,
        ),
        encoding="utf-8",
    )

    with pytest.raises(ProfileInvalid, match="unknown texts"):
        read_profile(str(tmp_path / "typo.toml"))
    with pytest.raises(ProfileInvalid, match=r"texts\.home_heading needs text in"):
        read_profile(str(tmp_path / "half.toml"))
