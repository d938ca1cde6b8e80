"""A bulletin's whole path in a real browser without JavaScript (issue 15,
point 5): a communications user signs in, writes, previews and publishes; the
feed the page advertises carries it, and its page links to the report form of
its category. Then the list, a bulletin and the editor at a phone's width and a
desktop's, in English and Chinese: nothing scrolls sideways.

Set TIPLINE_SHOTS_DIR to keep screenshots.
"""

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from testkit.helpers import PASSWORD, authenticator_code
from testkit.public_pages import switch_language

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
# The communications user's authenticator (their role requires one), and a
# Chinese bulletin, so that the Chinese list has something to show.
SETUP = """
import json
from tipline.accounts import two_factor
from tipline.accounts.models import User
from tipline.profiles import bulletins
from tipline.profiles.loader import ensure_default_profile
print(json.dumps(two_factor.begin_enrolment(User.objects.get(username="press"))))
text = bulletins.BulletinText(
    language="zh-hans", slug="jia-zhaopin", title="警惕网上的假招聘",
    summary="如何分辨真正的工作机会和别有用心的接触。",
    body="## 需要注意什么\\n\\n待遇**好得不真实**的工作机会。",
    category_slug="approach")
zh = bulletins.create_bulletin(profile=ensure_default_profile(), text=text)
bulletins.publish_bulletin(bulletin=zh)
"""
CONFIRM = """
from tipline.accounts import two_factor
from tipline.accounts.models import SecondFactor, User
two_factor.confirm_enrolment(User.objects.get(username="press"), "{code}")
SecondFactor.objects.update(last_step=-1)
"""
BODY = """## What to look for

An offer that is **too good to be true**, from someone you never met.

<script>alert("no")</script>

- They ask about your work early on.
- They offer money for "reports".

[Our advice](https://www.example.org/advice)
"""


PAGES = {
    "news": "/news/",
    "bulletin": "/news/{slug}/",
    "editor-list": "/staff/bulletins/",
    "editor": "/staff/bulletins/{pk}/",
}
WCAG_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
IDS = """
import json
from tipline.profiles.models import Bulletin
print(json.dumps(list(Bulletin.objects.values_list("slug", "pk"))))
"""


def shoot(page, name):
    folder = os.environ.get("TIPLINE_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)


def sign_in(live, browser):
    live.run("createuser", "press", "--role", "communications")
    output = live.run("manage", "shell", "-c", SETUP).stdout
    secret = json.loads(output.strip().splitlines()[-1])
    live.run("manage", "shell", "-c", CONFIRM.format(code=authenticator_code(secret)))
    context = browser.new_context(java_script_enabled=False, locale="en")
    page = context.new_page()
    page.goto(live.url + "/staff/login/")
    page.get_by_label("Username").fill("press")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(authenticator_code(secret))
    page.locator("main form button[type=submit]").click()
    return context, page


def write_and_publish(page):
    page.get_by_role("link", name="Write a bulletin").click()
    page.get_by_label("Language of the bulletin").select_option("en")
    page.get_by_label("Title").fill("Fake recruiters online")
    page.get_by_label("Address").fill("fake-recruiters")
    page.get_by_label("Summary").fill("How to tell a real job offer from an approach.")
    page.get_by_label("Text").fill(BODY)
    page.get_by_label("“Report this” button").select_option("approach")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="What to look for")).to_be_visible()
    expect(preview).to_contain_text('<script>alert("no")</script>')
    assert preview.locator("script").count() == 0
    shoot(page, "editor-preview-1280-en")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft saved.")
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator("#bulletin-state")).to_contain_text("Published")


def test_a_bulletin_is_written_published_and_read_through_the_feed(
    browser, shared_tipline
):
    base = shared_tipline.url
    context, page = sign_in(shared_tipline, browser)
    # The inbox is not theirs: signing in lands on the bulletins.
    expect(page.get_by_role("heading", name="Bulletins")).to_be_visible()
    assert page.url == base + "/staff/bulletins/"
    write_and_publish(page)

    page.goto(base + "/news/")
    advertised = page.locator('link[rel=alternate][type="application/atom+xml"]')
    href = advertised.get_attribute("href")
    assert href == "/news/feed/en/"
    response = context.request.get(base + href)
    assert response.ok
    # Our own feed, from the test server: not untrusted input.
    feed = ET.fromstring(response.body())  # noqa: S314 - our own server's feed
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    entries = {
        entry.find(f"{ATOM}title").text: entry for entry in feed.iter(f"{ATOM}entry")
    }
    assert list(entries) == ["Fake recruiters online"]
    link = entries["Fake recruiters online"].find(f"{ATOM}link").get("href")
    assert link == base + "/news/fake-recruiters/?in=en"
    assert (
        "<script" not in entries["Fake recruiters online"].find(f"{ATOM}content").text
    )

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Fake recruiters online")
    assert page.locator("main script").count() == 0
    report = page.get_by_role("link", name="Report this")
    expect(report).to_have_attribute("href", "/report/approach/")
    report.click()
    assert page.url == base + "/report/approach/"

    output = shared_tipline.run("manage", "shell", "-c", IDS).stdout
    ids = dict(json.loads(output.strip().splitlines()[-1]))
    for language, slug in (("en", "fake-recruiters"), ("zh-hans", "jia-zhaopin")):
        page.goto(base + "/news/")
        switch_language(page, language)
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            for name, path in PAGES.items():
                page.goto(base + path.format(slug=slug, pk=ids[slug]))
                where = f"{name} at {width} px in {language}"
                expect(page.locator("html")).to_have_attribute("lang", language)
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width == width, where
                shoot(page, f"{name}-{width}-{language}")
    context.close()

    # The public pages meet WCAG 2.2 AA as axe-core checks it (axe needs
    # JavaScript; the pages themselves run none).
    for locale, slug in (("en", "fake-recruiters"), ("zh-CN", "jia-zhaopin")):
        context = browser.new_context(locale=locale)
        page = context.new_page()
        for path in ("/news/", f"/news/{slug}/"):
            page.goto(base + path)
            results = Axe().run(page, options=WCAG_AA)
            assert results.violations_count == 0, results.generate_report()
        context.close()
