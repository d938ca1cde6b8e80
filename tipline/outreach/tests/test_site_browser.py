"""The quick exit, the brand and /verify-this-site/ in Debian's Chromium against
``tipline serve`` (issue 15, points 4, 9, 10), with a second local server as the
neutral site the quick exit leads to.

With JavaScript the quick exit replaces the page (Back does not return to it),
also on pressing Escape three times; without, it is a plain link. Both send no
Referer. Set TIPLINE_SHOTS_DIR to keep screenshots (360 and 1280 px, English and
Chinese) of a branded public page, /verify-this-site/ and Settings > Site.
"""

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from testkit.helpers import PASSWORD, authenticator_code
from testkit.public_pages import switch_language

pytestmark = pytest.mark.browser

# The organisation's look, as an administrator leaves it (set in the database,
# as the settings page would: its checks have their own tests); the quick exit
# leads to the neutral server, which is plain http on 127.0.0.1.
BRAND = """
import io
from django.utils import timezone
from PIL import Image
from tipline.profiles.branding import reencode_logo
from tipline.profiles.models import Site
logo = io.BytesIO()
Image.new("RGB", (160, 160), "#1d4e2c").save(logo, "PNG")
Site.objects.update_or_create(pk=1, defaults=dict(
    organisation_name={{"en": "National Protective Service", "zh-hans": "国家保护局"}},
    logo_png=reencode_logo(logo.getvalue()),
    logo_alt={{"en": "Service crest", "zh-hans": "保护局徽章"}},
    colour_primary="#1d4e2c", colour_header="#f4f1e8",
    emergency={{"en": "If someone is in danger now, call 999.",
               "zh-hans": "如有人正处于危险之中，请立即拨打 999。"}},
    contact={{"en": "Press and other questions: press@example.org",
             "zh-hans": "媒体及其他问题：press@example.org"}},
    quick_exit_url={exit!r},
    web_address="https://report.example.org/",
    onion_address="{onion}",
    updated_at=timezone.now(),
))
"""
ONION = "tipline" + "a" * 49 + ".onion"
ADMIN = """
import json
from tipline.accounts import two_factor
from tipline.accounts.models import User
print(json.dumps(two_factor.begin_enrolment(User.objects.get(username="admin"))))
"""
CONFIRM = """
from tipline.accounts import two_factor
from tipline.accounts.models import SecondFactor, User
two_factor.confirm_enrolment(User.objects.get(username="admin"), "{code}")
SecondFactor.objects.update(last_step=-1)
"""


def shoot(page, name):
    folder = os.environ.get("TIPLINE_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)


class Neutral(BaseHTTPRequestHandler):
    referers: list[str | None] = []  # noqa: RUF012 -- one server per test

    def do_GET(self):
        if self.path == "/weather":  # not the browser's /favicon.ico
            Neutral.referers.append(self.headers.get("Referer"))
        body = b"<!DOCTYPE html><title>Weather</title><h1>Weather today</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def neutral_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Neutral)
    Neutral.referers = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/weather"
    server.shutdown()
    server.server_close()


def fits(page, width, where):
    assert page.evaluate("document.documentElement.scrollWidth") == width, where


def test_quick_exit_brand_and_verify_page(browser, live_tipline, neutral_site):
    base = live_tipline.url
    live_tipline.run(
        "manage", "shell", "-c", BRAND.format(exit=neutral_site, onion=ONION)
    )

    # With JavaScript: the second tab stop; it replaces the page in history.
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(base + "/report/approach/")
    length = page.evaluate("history.length")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    page.keyboard.press("Enter")
    page.wait_for_url(neutral_site)
    expect(page.get_by_role("heading", name="Weather today")).to_be_visible()
    assert page.evaluate("history.length") == length
    page.go_back()
    assert not page.url.startswith(base)

    # Escape three times, typing in the form: the same.
    page = context.new_page()
    page.goto(base + "/report/approach/")
    page.locator("textarea").first.fill("Someone asked about the gate codes.")
    for _ in range(3):
        page.keyboard.press("Escape")
    page.wait_for_url(neutral_site)
    page.go_back()
    assert not page.url.startswith(base)
    context.close()

    # Without JavaScript: a plain link that gets there.
    context = browser.new_context(java_script_enabled=False, locale="en")
    page = context.new_page()
    page.goto(base + "/")
    exit_link = page.get_by_role("link", name="Leave this site quickly")
    expect(exit_link).to_have_attribute("rel", "noreferrer")
    exit_link.click()
    page.wait_for_url(neutral_site)
    assert Neutral.referers == [None, None, None]

    # The brand and /verify-this-site/, at a phone's and a desktop's width.
    for language in ("en", "zh-hans"):
        page.goto(base + "/")
        switch_language(page, language)
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(base + "/")
            where = f"home at {width} px in {language}"
            fits(page, width, where)
            logo = page.locator("header .brand img")
            expect(logo).to_be_visible()
            assert (
                page.evaluate(
                    "document.querySelector('header .brand img').naturalWidth"
                )
                == 160
            )
            expect(page.locator("#emergency a[href='tel:999']")).to_be_visible()
            colour = page.evaluate(
                "getComputedStyle(document.querySelector('header .brand')).color"
            )
            assert colour == "rgb(29, 78, 44)", where
            box = page.locator("#quick-exit").bounding_box()
            assert box is not None
            assert box["height"] >= 44, where
            shoot(page, f"home-{language}-{width}")
            page.goto(base + "/verify-this-site/")
            fits(page, width, f"verify-this-site at {width} px in {language}")
            expect(page.locator("#onion-address")).to_have_text(ONION)
            shoot(page, f"verify-this-site-{language}-{width}")
    context.close()

    # Settings > Site, as the administrator sees it.
    live_tipline.run("createuser", "admin", "--role", "administrator")
    output = live_tipline.run("manage", "shell", "-c", ADMIN).stdout
    secret = json.loads(output.strip().splitlines()[-1])
    code = authenticator_code(secret)
    live_tipline.run("manage", "shell", "-c", CONFIRM.format(code=code))
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
        switch_language(page, language)
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(base + "/staff/settings/site/")
            fits(page, width, f"settings at {width} px in {language}")
            expect(page.locator("#quick-exit")).to_have_count(0)
            shoot(page, f"settings-site-{language}-{width}")
    context.close()
