"""The public guidance pages (issue 15, point 1): each shows its editable text
with the live parts around it, taken from the settings at the time of the
request: the channels, the categories, what is not suspicious, the reward tiers,
the deadlines and every status a reporter can see."""

import re

import pytest
from django.test import Client

from testkit.helpers import (
    foreign_scripts,
    loaded_from_elsewhere,
    post_form,
    receipt_in,
)
from tipline.cases.models import REPORTER_OUTCOME, REPORTER_STATUS, Outcome, Status
from tipline.lib.pagecache import forget_pages
from tipline.outreach import guide
from tipline.outreach.tests.test_profile_texts import FOREIGN_WORDS, visible_text
from tipline.profiles.loader import PROFILE_DIR, load_profile
from tipline.profiles.models import GuidancePage, Profile
from tipline.profiles.selectors import current_site
from tipline.rewards import services as rewards

pytestmark = pytest.mark.django_db

PAGES = [
    "/help/",
    "/how-to-report/",
    "/what-to-report/",
    "/what-not-to-report/",
    "/staying-safe/",
    "/rewards/",
    "/what-happens-next/",
]


def text_of(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return visible_text(response.content.decode())


@pytest.mark.parametrize("path", PAGES)
def test_guidance_pages_refuse_posts_and_load_nothing_from_elsewhere(
    client, profile, path
):
    assert client.post(path).status_code in (403, 405)
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert foreign_scripts(html) == []
    assert "style=" not in html
    assert loaded_from_elsewhere(html) == []
    assert response["Cache-Control"] == "no-store"


def test_how_to_report_shows_only_the_channels_configured(client, profile):
    page = text_of(client, "/how-to-report/")
    assert "Fill in the report form" in page
    for missing in ("In Tor Browser", "By phone", "By post", "In person"):
        assert missing not in page

    site = current_site()
    site.onion_address = "tiplinexyzexample.onion"
    site.phone_lines = [
        {
            "number": "+44 20 7946 0000",
            "hours": {"en": "Mon-Fri 8-18", "zh-hans": "周一至周五 8-18时"},
        },
        {"number": "", "hours": {"en": "a line without a number is left out"}},
    ]
    site.postal_address = {"en": "PO Box 123\nLondon", "zh-hans": "邮政信箱123号"}
    site.in_person = {"en": "Any police front desk", "zh-hans": "任何公安局接待窗口"}
    site.save()
    forget_pages()  # as the Site settings' services do (tipline.lib.pagecache)

    page = text_of(client, "/how-to-report/")
    assert "tiplinexyzexample.onion" in page
    assert "+44 20 7946 0000" in page
    assert "Mon-Fri 8-18" in page
    assert "without a number" not in page
    assert "PO Box 123" in page
    assert "London" in page
    assert "Any police front desk" in page
    chinese = text_of(client, "/how-to-report/", accept_language="zh-Hans")
    assert "周一至周五 8-18时" in chinese
    assert "邮政信箱123号" in chinese


def test_what_to_report_lists_the_active_categories_with_examples(client, profile):
    hidden = profile.categories.first()
    hidden.active = False
    hidden.save()

    page = text_of(client, "/what-to-report/")

    for category in profile.categories.filter(active=True):
        assert category.local_title in page
        for example in category.examples["en"]:
            assert example in page
    assert hidden.title["en"] not in page
    assert "Report behaviour" not in page  # the other page's text


def test_what_not_to_report_lists_the_profiles_list_and_the_default_text(
    client, profile
):
    page = text_of(client, "/what-not-to-report/")

    for item in profile.not_suspicious:
        assert item["en"] in page
    assert "Report behaviour, not people" in page


def test_rewards_show_the_tiers_and_whether_money_is_paid(client, profile):
    page = text_of(client, "/rewards/")
    assert "may pay money" in page
    assert "Material reward, grade 4" in page
    assert "CNY" in page

    policy = rewards.policy_for("national-security")
    policy.tiers.exclude(commendation_only=True).delete()
    forget_pages()  # as the reward tiers' services do

    page = text_of(client, "/rewards/")
    assert "pays no money" in page
    assert "Material reward" not in page
    assert "Certificate of commendation" in page


def test_the_whistleblowing_profile_pays_no_money(client):
    load_profile("whistleblowing")

    page = text_of(client, "/rewards/")

    assert "pays no money" in page
    assert "Commendation, no money" in page


def test_a_profile_without_a_reward_policy_says_so(client, tmp_path):
    source = (PROFILE_DIR / "whistleblowing.toml").read_text()
    path = tmp_path / "volunteers.toml"
    path.write_text(source.replace('slug = "whistleblowing"', 'slug = "volunteers"', 1))
    load_profile(str(path))

    page = text_of(client, "/rewards/")

    assert "This service has no reward programme." in page
    assert GuidancePage.objects.filter(profile__slug="volunteers").count() == 0


def test_what_happens_next_gives_the_profiles_deadlines_and_every_status(
    client, profile
):
    Profile.objects.filter(pk=profile.pk).update(acknowledge_days=1, feedback_days=45)

    page = text_of(client, "/what-happens-next/")

    assert "Nobody will call or visit you." in page
    assert "Come back with your receipt code after 1 day:" in page
    assert "Come back again after 45 days:" in page
    for status in (Status.NEW, Status.ACKNOWLEDGED, Status.UNDER_REVIEW):
        assert str(REPORTER_STATUS[status]) in page
    closed = REPORTER_STATUS[Status.CLOSED]
    for outcome in Outcome:
        assert f"{closed} {REPORTER_OUTCOME[outcome]}" in page


def test_the_status_words_are_exactly_those_the_follow_up_page_shows():
    """outreach repeats the cases app's words (it may not import its models):
    every one, in both languages, and nothing else."""
    closed = REPORTER_STATUS[Status.CLOSED]
    expected = [str(REPORTER_STATUS[s]) for s in Status if s != Status.CLOSED]
    outcomes = dict.fromkeys(str(REPORTER_OUTCOME[o]) for o in Outcome)
    expected += [f"{closed} {outcome}" for outcome in outcomes]

    assert [shown for shown, _ in guide.statuses()] == expected
    assert all(meaning for _, meaning in guide.statuses())


@pytest.mark.parametrize("slug", ["national-security", "whistleblowing"])
@pytest.mark.parametrize("accept", ["en", "zh-Hans"])
def test_guidance_pages_speak_only_the_active_profiles_words(client, slug, accept):
    load_profile(slug)
    language = "en" if accept == "en" else "zh-hans"

    for path in PAGES:
        page = text_of(client, path, accept_language=accept)
        for word in FOREIGN_WORDS[slug][language]:
            assert word.lower() not in page.lower(), (word, path, slug)


def test_guidance_pages_come_in_chinese(client, profile):
    page = text_of(client, "/staying-safe/", accept_language="zh-Hans")

    assert "如何保护自己" in page
    assert "Tor浏览器" in page
    assert "Protect yourself" not in page


def test_home_and_header_lead_to_help_and_help_to_every_page(client, profile):
    home = client.get("/").content.decode()
    assert 'href="/help/"' in home
    assert 'href="/what-not-to-report/"' in home

    index = client.get("/help/").content.decode()

    for path in PAGES[1:]:
        assert f'href="{path}"' in index


def test_receipt_and_follow_up_pages_link_to_what_happens_next(
    browser_client, submit_report, owner
):
    receipt_page = submit_report({"what_happened": "A stranger photographed the gate."})
    html = receipt_page.content.decode()
    assert re.search(r'id="what-happens-next" href="/what-happens-next/"', html)

    signin = Client().get("/followup/").content.decode()
    assert 'href="/what-happens-next/"' in signin
    followup = post_form(
        browser_client, "/followup/", "/followup/", {"receipt": receipt_in(html)}
    ).content.decode()
    assert 'id="status"' in followup
    assert 'href="/what-happens-next/"' in followup
