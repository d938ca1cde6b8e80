"""The online-approach form in a real browser (issue 15, points 2 and 3): with
JavaScript off, a conditional question is a second step and the guardrail a
confirmation step, the chosen file kept across both; with JavaScript on, the
question appears in place and so does the reminder.

Set TIPLINE_SHOTS_DIR to keep screenshots (360 and 1280 px, English and Chinese).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tipline.intake.tests.samples import gps_jpeg

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
FORM = "/report/online-approach/"
# Names a nationality and describes nothing anyone did: the guardrail's case.
ONLY_WHO = {"en": "The man on the profile is Chinese.", "zh-hans": "对方是外国人。"}
ATTACHMENTS = (
    "from tipline.cases.models import Report; "
    "print(Report.objects.latest('pk').attachments.count())"
)


def shoot(page, name):
    """Full-page screenshots at phone and desktop width, if asked for."""
    folder = os.environ.get("TIPLINE_SHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=Path(folder) / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(PHONE)


def context_in(browser, base, language, *, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context


def submit(page):
    page.locator("#report-form button[type=submit]").click()


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_without_javascript_steps_keep_text_and_files(
    browser, shared_tipline, tmp_path, language
):
    base = shared_tipline.url
    context = context_in(browser, base, language, javascript=False)
    page = context.new_page()
    # The choose page says first what belongs elsewhere (open without JavaScript).
    page.goto(base + "/report/")
    page.locator("#elsewhere summary").click()
    expect(page.locator("#elsewhere dl")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, f"nojs-choose-{language}")
    page.goto(base + FORM)
    expect(page.locator("#elsewhere")).to_be_visible()
    expect(page.locator("#id_platform_other")).to_be_hidden()
    no_sideways_scroll(page)
    shoot(page, f"nojs-form-{language}")

    page.locator("input[name=platform][value=other]").check()
    page.locator("input[name=moved_app][value=yes]").check()
    page.locator("#id_what_happened").fill(ONLY_WHO[language])
    page.locator("#id_profile_link").fill("javascript:alert(1)")
    photo = tmp_path / "profile-screenshot.jpg"
    photo.write_bytes(gps_jpeg())
    page.locator("#id_files").set_input_files(photo)
    submit(page)

    # The second step: the questions the answers call for, the file kept.
    expect(page.locator("#second-step")).to_be_visible()
    expect(page.locator("#id_platform_other")).to_be_visible()
    expect(page.locator("#id_moved_app_which")).to_be_visible()
    expect(page.locator("#held-files")).to_contain_text("profile-screenshot.jpg")
    expect(page.locator("#id_what_happened")).to_have_value(ONLY_WHO[language])
    no_sideways_scroll(page)
    shoot(page, f"nojs-second-step-{language}")
    page.locator("#id_platform_other").fill("A forum for engineers")
    page.locator("#id_moved_app_which").fill("Telegram")
    submit(page)

    # The guardrail's confirmation step: text editable, the file still kept.
    expect(page.locator("#guardrail-step")).to_be_visible()
    expect(page.locator("#held-files")).to_contain_text("profile-screenshot.jpg")
    expect(page.locator("#id_platform_other")).to_have_value("A forum for engineers")
    no_sideways_scroll(page)
    shoot(page, f"nojs-reminder-{language}")
    submit(page)

    expect(page.locator("#receipt")).to_be_visible()
    stored = shared_tipline.run("manage", "shell", "-c", ATTACHMENTS)
    assert stored.stdout.strip().splitlines()[-1] == "1"
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_with_javascript_questions_and_the_reminder_appear_in_place(
    browser, shared_tipline, language
):
    base = shared_tipline.url
    context = context_in(browser, base, language, javascript=True)
    page = context.new_page()
    page.goto(base + FORM)
    expect(page.locator("#id_platform_other")).to_be_hidden()
    page.locator("input[name=platform][value=other]").check()
    expect(page.locator("#id_platform_other")).to_be_visible()
    page.locator("#id_platform_other").fill("A forum for engineers")
    page.locator("input[name=platform][value=email]").check()
    expect(page.locator("#id_platform_other")).to_be_hidden()
    page.locator("input[name=platform][value=other]").check()
    page.locator("#id_what_happened").fill(ONLY_WHO[language])
    url = page.url
    submit(page)

    reminder = page.locator("#guardrail-reminder")
    expect(reminder).to_be_visible()
    assert page.url == url
    no_sideways_scroll(page)
    shoot(page, f"js-reminder-{language}")
    reminder.locator("[data-guardrail=edit]").click()
    expect(reminder).to_be_hidden()
    expect(page.locator("#id_what_happened")).to_be_focused()
    submit(page)
    expect(reminder).to_be_visible()
    reminder.locator("[data-guardrail=send]").click()

    expect(page.locator("#receipt")).to_be_visible()
    context.close()
