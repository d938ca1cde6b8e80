"""The whole journey in a real browser: Debian's Chromium driven by Playwright.

The reporter's browser has JavaScript switched off (Tor Browser's safest mode)
and a 360 px wide screen.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from testkit.helpers import PASSWORD
from tipline.intake.tests.samples import SERIAL, gps_jpeg

pytestmark = pytest.mark.browser
# One server for the module (shared_tipline): only the journey stores a report
# (the analyst opens the newest case); the other tests store nothing.

PHONE = {"width": 360, "height": 740}


def test_report_reply_and_follow_up_end_to_end(browser, shared_tipline, tmp_path):
    base = shared_tipline.url
    reporter = browser.new_context(
        java_script_enabled=False, viewport=PHONE, locale="en"
    )
    staff = browser.new_context(locale="en")
    page = reporter.new_page()

    # The reporter chooses a category and sends a report, without JavaScript.
    page.goto(base + "/report/")
    page.get_by_role("link", name="Suspicious approach or recruitment attempt").click()
    page.get_by_label("What happened?").fill("A man offered money for the duty roster.")
    photo = tmp_path / "roster.jpg"
    photo.write_bytes(gps_jpeg())
    page.get_by_label("Files (optional)").set_input_files(photo)
    page.get_by_role("button", name="Send report").click()
    expect(
        page.get_by_role("heading", name="Your report has been received")
    ).to_be_visible()
    expect(page.get_by_text("Removed:")).to_contain_text("GPS location")
    receipt = page.locator("#receipt").inner_text()
    assert len(receipt.replace(" ", "")) == 28
    page.screenshot(path=tmp_path / "receipt.png", full_page=True)

    # Staff sign in, read the report and reply.
    desk = staff.new_page()
    desk.goto(base + "/staff/login/")
    desk.get_by_label("Username").fill("analyst")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.get_by_role("link", name="#").first.click()
    expect(desk.get_by_text("A man offered money for the duty roster.")).to_be_visible()
    expect(desk.get_by_role("img", name="Preview of roster.jpg")).to_be_visible()
    with desk.expect_download() as download:
        desk.get_by_role("link", name="roster.jpg").click()
    assert download.value.suggested_filename == "roster.jpg"
    saved = download.value.path().read_bytes()
    assert saved[:3] == b"\xff\xd8\xff"
    assert SERIAL.encode() not in saved
    desk.get_by_label("Message to the reporter").fill("Thank you. When was this?")
    desk.get_by_role("button", name="Send to reporter").click()
    expect(desk.get_by_text("Your message was sent to the reporter.")).to_be_visible()

    # The reporter comes back with the receipt, reads the reply and answers.
    page.goto(base + "/followup/")
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    expect(page.get_by_text("Thank you. When was this?")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Received and read by our staff.")
    page.get_by_label("Your message").fill("Last Friday, around 6 pm.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Your message was sent.")).to_be_visible()

    # Staff see the reporter's answer.
    desk.reload()
    expect(desk.get_by_text("Last Friday, around 6 pm.")).to_be_visible()
    reporter.close()
    staff.close()


def test_pages_fit_a_360px_screen_in_both_languages(browser, shared_tipline, tmp_path):
    for locale, heading in [
        ("en", "What would you like to report?"),
        ("zh-CN", "您想报告什么"),
    ]:
        context = browser.new_context(viewport=PHONE, locale=locale)
        page = context.new_page()
        for path in ["/", "/report/", "/report/approach/", "/followup/"]:
            page.goto(shared_tipline.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} in {locale} is {width}px wide"
        page.goto(shared_tipline.url + "/report/")
        expect(page.locator("h1")).to_contain_text(heading)
        page.screenshot(path=Path(tmp_path) / f"choose-{locale}.png", full_page=True)
        context.close()


def test_invalid_report_keeps_what_was_typed_without_javascript(
    browser, shared_tipline
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(shared_tipline.url + "/report/surveillance/")
    page.get_by_label("Where did it happen?").fill("North gate of the naval base")
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_text("This field is required.").first).to_be_visible()
    expect(page.get_by_label("Where did it happen?")).to_have_value(
        "North gate of the naval base"
    )
    context.close()
