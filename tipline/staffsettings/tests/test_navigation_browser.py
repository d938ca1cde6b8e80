"""The settings pages in a real browser without JavaScript, at a small phone's width
and a desktop's, in English and Chinese: the page never scrolls sideways, and every
link of the settings navigation is on screen."""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from testkit.helpers import PASSWORD, authenticator_code

pytestmark = pytest.mark.browser

PAGES = (
    "/staff/settings/triage/",
    "/staff/settings/retention/",
    "/staff/settings/site/",
    "/staff/settings/guardrail/",
    "/staff/settings/rewards/",
    "/staff/rewards/records/",
    "/staff/bulletins/",
    "/staff/audit/",
    "/staff/settings/guidance/",
)
# An administrator with an authenticator app (their role requires one), and the
# widest content the pages show: a full audit table with long details (under the
# long chain head), and a rules table.
SETUP = """
import json
from tipline.accounts import two_factor
from tipline.accounts.models import User
from tipline.audit import services as audit
from tipline.triage.models import PriorityRule
admin = User.objects.get(username="admin")
secret = two_factor.begin_enrolment(admin)
print(json.dumps(secret))
for n in range(3):
    audit.record(action="settings.priority", actor=admin, target=f"priority-rule:{n}",
                 detail={"kind": "keyword", "weight": 25, "change": "added"})
PriorityRule.objects.create(kind="keyword", keyword="floor plans", weight=25)
"""
CONFIRM = """
from tipline.accounts import two_factor
from tipline.accounts.models import User
from tipline.accounts.models import SecondFactor
two_factor.confirm_enrolment(User.objects.get(username="admin"), "{code}")
# Each code works once; the sign-in below may fall in the same 30 seconds.
SecondFactor.objects.update(last_step=-1)
"""


def test_settings_pages_fit_a_phone_and_a_desktop(browser, live_tipline):
    base = live_tipline.url
    live_tipline.run("createuser", "admin", "--role", "administrator")
    output = live_tipline.run("manage", "shell", "-c", SETUP).stdout
    secret = json.loads(output.strip().splitlines()[-1])
    live_tipline.run(
        "manage", "shell", "-c", CONFIRM.format(code=authenticator_code(secret))
    )
    context = browser.new_context(java_script_enabled=False, locale="en")
    page = context.new_page()
    page.goto(base + "/staff/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(authenticator_code(secret))
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("link", name="Settings")).to_be_visible()

    for language in ("en", "zh-hans"):
        # The header's language switch (a form, no JavaScript).
        page.locator("#language-select").select_option(language)
        page.locator("form.language button").click()
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            for path in PAGES:
                page.goto(base + path)
                where = f"{path} at {width} px in {language}"
                expect(page.locator("html")).to_have_attribute("lang", language)
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width == width, where
                current = page.locator("nav.settings a[aria-current=page]")
                expect(current).to_have_attribute("href", path)
                links = page.locator("nav.settings a").all()
                assert len(links) == len(PAGES), where
                for link in links:
                    box = link.bounding_box()
                    assert box["x"] >= 0, where
                    assert box["x"] + box["width"] <= width, where
                if path.endswith("/guardrail/"):
                    shoot(page, f"staff-guardrail-{language}-{width}")
    context.close()


def shoot(page, name):
    folder = os.environ.get("TIPLINE_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)
