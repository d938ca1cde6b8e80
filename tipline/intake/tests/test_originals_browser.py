"""The originals choice and choice labels in a real browser (issue 11, points 4
and 9): Debian's Chromium without JavaScript, on a phone-sized screen, against
``tipline serve``."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tipline.intake.tests.samples import gps_jpeg

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
BOX = "Also keep the untouched original files, as evidence"


def stored_blobs(live) -> list[Path]:
    root = live.data_dir / "files"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def send_report(page, base, photo, *, tick: bool) -> str:
    page.goto(base + "/report/approach/")
    box = page.get_by_label(BOX)
    expect(box).not_to_be_checked()
    page.get_by_label("What happened?").fill("Someone photographed the gate.")
    page.get_by_label("I saw it myself").check()
    page.get_by_label("Files (optional)").set_input_files(photo)
    if tick:
        box.check()
    page.get_by_role("button", name="Send report").click()
    expect(
        page.get_by_role("heading", name="Your report has been received")
    ).to_be_visible()
    return page.locator("#receipt").inner_text()


def test_originals_are_kept_only_when_ticked_and_choices_read_as_words(
    browser, live_tipline, tmp_path
):
    base = live_tipline.url
    reporter = browser.new_context(
        java_script_enabled=False, viewport=PHONE, locale="en"
    )
    page = reporter.new_page()
    photo = tmp_path / "gate.jpg"
    photo.write_bytes(gps_jpeg())

    receipt = send_report(page, base, photo, tick=False)
    expect(page.locator("#originals-kept")).to_contain_text(
        "You chose not to keep the untouched originals"
    )
    assert len(stored_blobs(live_tipline)) == 1

    send_report(page, base, photo, tick=True)
    expect(page.locator("#originals-kept")).to_contain_text(
        "You chose to keep the untouched originals as well."
    )
    assert len(stored_blobs(live_tipline)) == 3

    page.goto(base + "/followup/")
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    answers = page.locator("dl.answers")
    expect(answers).to_contain_text("I saw it myself")
    expect(answers).not_to_contain_text("saw_myself")
    expect(page.get_by_label(BOX)).not_to_be_checked()
    reporter.close()
