"""The guidance pages in a real browser (issue 15, point 1): Debian's Chromium
without JavaScript, at a small phone's width, against ``tipline serve``. A
reporter walks from the home page through Help to "What happens next" and reads
the deadlines and the statuses; an administrator changes that page's text, with
a preview first, and the reporter sees the change.

Set TIPLINE_SHOTS_DIR to keep screenshots of every guidance page and the editor
(360 and 1280 px, English and Chinese).
"""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from testkit.helpers import PASSWORD, authenticator_code

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
PUBLIC = (
    "help",
    "how-to-report",
    "what-to-report",
    "what-not-to-report",
    "staying-safe",
    "rewards",
    "what-happens-next",
)
# An administrator with an authenticator app (their role requires one), and
# every channel configured, so "How to report" shows them all.
SETUP = """
import json
from tipline.accounts import two_factor
from tipline.accounts.models import User
from tipline.profiles.selectors import current_site
site = current_site()
site.onion_address = "tiplinexampleaddressforthetestsonlyxxxxxxxxxxxxxxxxxxxxxx.onion"
site.phone_lines = [
    {"number": "+44 20 7946 0000", "hours": {"en": "Monday to Friday, 8:00 to 18:00",
                                             "zh-hans": "周一至周五 8:00-18:00"}},
    {"number": "0800 123 4567",
     "hours": {"en": "Every day, all day", "zh-hans": "全天"}},
]
site.postal_address = {"en": "Tipline\\nPO Box 1234\\nLondon SW1A 2AA",
                       "zh-hans": "北京市东城区 邮政信箱1234号"}
site.in_person = {"en": "At any police station front desk, in opening hours.",
                  "zh-hans": "在办公时间前往任何公安机关接待窗口。"}
site.save()
secret = two_factor.begin_enrolment(User.objects.get(username="admin"))
print(json.dumps(secret))
"""
CONFIRM = """
from tipline.accounts import two_factor
from tipline.accounts.models import SecondFactor, User
two_factor.confirm_enrolment(User.objects.get(username="admin"), "{code}")
SecondFactor.objects.update(last_step=-1)
"""
FRESH_CODE = "from tipline.accounts.models import SecondFactor\n" + (
    "SecondFactor.objects.update(last_step=-1)"
)


def shoot(page, name):
    folder = os.environ.get("TIPLINE_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") == width, page.url


@pytest.fixture(scope="module")
def admin_secret(shared_tipline):
    shared_tipline.run("createuser", "admin", "--role", "administrator")
    output = shared_tipline.run("manage", "shell", "-c", SETUP).stdout
    secret = json.loads(output.strip().splitlines()[-1])
    code = authenticator_code(secret)
    shared_tipline.run("manage", "shell", "-c", CONFIRM.format(code=code))
    return secret


def signed_in_admin(browser, live, secret, **options):
    live.run("manage", "shell", "-c", FRESH_CODE)
    context = browser.new_context(java_script_enabled=False, **options)
    page = context.new_page()
    page.goto(live.url + "/staff/login/")
    # By name: the labels are in the context's language.
    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.locator("input[name=code]").fill(authenticator_code(secret))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header")).to_contain_text("admin")
    return context, page


def test_a_reporter_finds_what_happens_next_and_sees_an_administrators_edit(
    browser, shared_tipline, admin_secret
):
    base = shared_tipline.url
    reporter = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = reporter.new_page()
    page.goto(base + "/")
    page.locator("header nav").get_by_role("link", name="Help").click()
    expect(page.get_by_role("heading", name="Help", exact=True)).to_be_visible()
    page.get_by_role("link", name="What happens next").click()
    expect(page).to_have_url(base + "/what-happens-next/")
    fits(page, PHONE["width"])
    steps = page.locator("#next-steps")
    expect(steps).to_contain_text("Nobody will call or visit you.")
    expect(page.locator("#acknowledge-days")).to_contain_text("after 7 days")
    expect(page.locator("#feedback-days")).to_contain_text("after 90 days")
    statuses = page.locator("#statuses dt")
    expect(statuses).to_have_count(8)
    expect(statuses.first).to_have_text("Received. It has not been read yet.")
    expect(page.locator("#statuses")).to_contain_text("Being looked into.")

    context, admin = signed_in_admin(
        browser, shared_tipline, admin_secret, viewport=PHONE
    )
    admin.goto(base + "/staff/settings/guidance/")
    admin.get_by_role("link", name="What happens next").click()
    text = admin.get_by_label("Text (English)")
    text.fill("## If you are worried\n\nWrite to us on the **follow-up page**.")
    admin.get_by_role("button", name="Preview").click()
    preview = admin.locator(".guidance-preview")
    expect(preview.get_by_role("heading", name="If you are worried")).to_be_visible()
    fits(admin, PHONE["width"])
    page.reload()
    expect(page.locator("main")).not_to_contain_text("If you are worried")

    admin.get_by_role("button", name="Save and publish").click()
    expect(admin.locator(".messages")).to_contain_text("Guidance page saved.")
    page.reload()
    body = page.locator("#guidance-text")
    expect(body.get_by_role("heading", name="If you are worried")).to_be_visible()
    expect(body.locator("strong")).to_have_text("follow-up page")
    context.close()
    reporter.close()


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_screenshots_of_the_guidance_pages_and_the_editor(
    browser, shared_tipline, admin_secret, locale
):
    base = shared_tipline.url
    language = "en" if locale == "en" else "zh"
    for width, viewport in (("360", PHONE), ("1280", DESKTOP)):
        context = browser.new_context(
            java_script_enabled=False, viewport=viewport, locale=locale
        )
        page = context.new_page()
        for name in ("home", *PUBLIC):
            page.goto(base + ("/" if name == "home" else f"/{name}/"))
            fits(page, viewport["width"])
            shoot(page, f"{name}-{language}-{width}")
        context.close()
        context, admin = signed_in_admin(
            browser, shared_tipline, admin_secret, viewport=viewport, locale=locale
        )
        admin.goto(base + "/staff/settings/guidance/")
        fits(admin, viewport["width"])
        shoot(admin, f"editor-list-{language}-{width}")
        admin.goto(base + "/staff/settings/guidance/staying-safe/")
        admin.locator("button[formaction]").click()
        expect(admin.locator(".guidance-preview")).to_be_visible()
        fits(admin, viewport["width"])
        shoot(admin, f"editor-preview-{language}-{width}")
        context.close()
