"""The guidance pages' default texts, loaded with each profile (issue 15, point 1):
both shipped profiles have every page in both languages, a broken guidance file
is refused with its reason, and loading a profile again keeps what an
administrator edited while updating what they did not."""

import shutil

import pytest

from tipline.lib.markdown import MAX_SOURCE_CHARS
from tipline.profiles.loader import PROFILE_DIR, ProfileInvalid, load_profile
from tipline.profiles.models import GuidancePage, GuidanceSlug
from tipline.profiles.selectors import guidance_pages

pytestmark = pytest.mark.django_db

TITLE = '[{slug}.title]\nen = "Title"\nzh-hans = "标题"\n'
BODY = '[{slug}.body]\nen = "{en}"\nzh-hans = "正文"\n'


def profile_with_guidance(tmp_path, text, slug="whistleblowing"):
    """A copy of a shipped profile with ``text`` as its guidance file."""
    shutil.copy(PROFILE_DIR / f"{slug}.toml", tmp_path / f"{slug}.toml")
    (tmp_path / "guidance").mkdir(exist_ok=True)
    (tmp_path / "guidance" / f"{slug}.toml").write_text(text, encoding="utf-8")
    return str(tmp_path / f"{slug}.toml")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (TITLE.format(slug="gossip") + BODY.format(slug="gossip", en="x"), "unknown"),
        (
            '[rewards.title]\nen = "Rewards"\n' + BODY.format(slug="rewards", en="x"),
            "zh-hans",
        ),
        (TITLE.format(slug="rewards"), "needs a title and a body"),
        (
            TITLE.format(slug="rewards")
            + BODY.format(slug="rewards", en="x" * (MAX_SOURCE_CHARS + 1)),
            "at most 40000 characters",
        ),
        ('[rewards]\ntitle = "Rewards"\nbody = 3\n', "needs text in"),
        ("[rewards\n", "guidance"),
    ],
)
def test_a_broken_guidance_file_is_refused_and_nothing_is_loaded(
    tmp_path, text, reason
):
    path = profile_with_guidance(tmp_path, text)

    with pytest.raises(ProfileInvalid, match=reason):
        load_profile(path)

    assert GuidancePage.objects.count() == 0


@pytest.mark.parametrize("slug", ["national-security", "whistleblowing"])
def test_each_shipped_profile_has_every_page_in_both_languages(slug):
    profile = load_profile(slug)

    pages = list(profile.guidance_pages.all())
    assert [page.slug for page in pages] == list(GuidanceSlug.values)
    for page in pages:
        assert page.edited is False
        for language in ("en", "zh-hans"):
            assert page.title[language].strip(), (page.slug, language)
            assert len(page.body[language]) > 100, (page.slug, language)


def test_the_defaults_say_what_the_issue_asks_for(profile):
    bodies = {page.slug: page.body for page in profile.guidance_pages.all()}

    safe = bodies["staying-safe"]
    assert "Tor Browser" in safe["en"]
    assert "not a work computer" in safe["en"]
    assert "receipt code" in safe["en"]
    assert "hidden details" in safe["en"]
    assert "Tor浏览器" in safe["zh-hans"]
    assert "回执码" in safe["zh-hans"]
    assert "religion" in bodies["what-not-to-report"]["en"]


def test_loading_again_keeps_edited_pages_and_updates_the_others(tmp_path):
    first = TITLE.format(slug="rewards") + BODY.format(slug="rewards", en="Old")
    first += TITLE.format(slug="staying-safe")
    first += BODY.format(slug="staying-safe", en="Old")
    path = profile_with_guidance(tmp_path, first)
    profile = load_profile(path)
    edited = profile.guidance_pages.get(slug="rewards")
    edited.body = {"en": "Ours", "zh-hans": "我们的"}
    edited.edited = True
    edited.save()

    newer = first.replace('en = "Old"', 'en = "New"')
    profile_with_guidance(tmp_path, newer)
    load_profile(path)

    pages = {page.slug: page for page in profile.guidance_pages.all()}
    assert pages["rewards"].body == {"en": "Ours", "zh-hans": "我们的"}
    assert pages["rewards"].edited is True
    assert pages["staying-safe"].body["en"] == "New"
    assert GuidancePage.objects.count() == 2


def test_a_profile_without_guidance_still_has_every_page(tmp_path):
    shutil.copy(PROFILE_DIR / "whistleblowing.toml", tmp_path / "whistleblowing.toml")
    profile = load_profile(str(tmp_path / "whistleblowing.toml"))

    pages = guidance_pages(profile)

    assert GuidancePage.objects.count() == 0
    assert [page.slug for page in pages] == list(GuidanceSlug.values)
    assert pages[0].local_title == "How to report"
    assert pages[0].local_body == ""
