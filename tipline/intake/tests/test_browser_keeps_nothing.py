"""What a reporter's browser keeps, checked in real Chromium (issue 11, points 5, 6).

A browser seized after a report must not hand over the receipt or the report:
not through Back and Reload, not in its session files, not in its autofill store.
And changing the language never loses what the reporter sees or has typed, with or
without JavaScript.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from testkit.helpers import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
# One server for the module (shared_tipline): each test sends its own report and
# follows up with its own receipt.

PHONE = {"width": 360, "height": 740}
STORY = "Quokka-7 asked for the shift rota of the radar station"
WHERE = "Harbour café Zebulon"


def report(page, base):
    page.goto(base + "/report/approach/")
    page.get_by_label("What happened?").fill(STORY)
    page.get_by_label("Where did it happen?").fill(WHERE)
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#receipt")).to_be_visible()
    return page.locator("#receipt").inner_text()


def files_containing(root: Path, needles: list[bytes]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        for needle in needles:
            if needle in data or needle.decode().encode("utf-16-le") in data:
                found.setdefault(needle.decode(), []).append(str(path))
    return found


def test_back_reload_and_the_profile_on_disk_give_nothing_away(
    shared_tipline, tmp_path
):
    base = shared_tipline.url
    profile = tmp_path / "chromium-profile"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            java_script_enabled=False,
            viewport=PHONE,
            locale="en",
        )
        page = context.new_page()
        receipt = report(page, base)
        digits = receipt.replace(" ", "")

        # Reload shows the receipt page again (a GET); Back then Reload shows a
        # fresh form, and sends nothing again.
        page.reload()
        expect(page.locator("#receipt")).to_have_text(receipt)
        page.go_back()
        page.reload()
        expect(page.get_by_label("What happened?")).to_have_value("")
        assert digits not in page.content().replace(" ", "")
        page.go_forward()
        page.get_by_role(
            "button", name="I have written the code down: remove it from this page"
        ).click()
        expect(
            page.get_by_role("heading", name="The receipt code is no longer shown")
        ).to_be_visible()
        page.go_back()
        page.reload()
        assert digits not in page.content().replace(" ", "")

        # Following up, then signing out: Back and Reload show only the sign-in.
        page.goto(base + "/followup/")
        page.get_by_label("Receipt code").fill(receipt)
        page.get_by_role("button", name="Open my report").click()
        expect(page.get_by_text(STORY)).to_be_visible()
        page.reload()
        expect(page.get_by_text(STORY)).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("You have signed out.")).to_be_visible()
        page.go_back()
        page.reload()
        expect(page.get_by_role("button", name="Open my report")).to_be_visible()
        assert STORY not in page.content()
        context.close()

    needles = [digits.encode(), receipt.encode(), STORY.encode(), WHERE.encode()]
    found = files_containing(profile, needles)
    assert found == {}, found
    # Positive control: the scan reads the profile's databases; history keeps URLs.
    assert files_containing(profile, [b"/followup/"]), "the history was not written"


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_changing_language_keeps_what_is_typed_and_shown(
    browser, shared_tipline, javascript
):
    base = shared_tipline.url
    context = browser.new_context(
        java_script_enabled=javascript, viewport=PHONE, locale="en"
    )
    page = context.new_page()

    # The report form: what was typed survives, the page is now in Chinese.
    page.goto(base + "/report/approach/")
    page.get_by_label("What happened?").fill(STORY)
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("textarea").first).to_have_value(STORY)
    page.locator("#report-form button[type=submit].primary").click()
    expect(page.locator("#receipt")).to_be_visible()
    receipt = page.locator("#receipt").inner_text()

    # The receipt page: the code is still there after switching back.
    page.locator("#language-select").select_option("en")
    page.locator("header form.language button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#receipt")).to_have_text(receipt)

    # The follow-up page: still signed in, and the unsent message is kept.
    page.goto(base + "/followup/")
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    page.get_by_label("Your message").fill("A second visit on Tuesday")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_text(STORY)).to_be_visible()
    expect(page.locator("#message-form textarea")).to_have_value(
        "A second visit on Tuesday"
    )

    # After sending a message, switching language shows the page, never a 405.
    page.locator("#message-form button.primary").click()
    expect(page.locator(".success")).to_be_visible()
    page.locator("#language-select").select_option("en")
    page.locator("header button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("A second visit on Tuesday")).to_be_visible()
    assert "405" not in page.title()
    context.close()
