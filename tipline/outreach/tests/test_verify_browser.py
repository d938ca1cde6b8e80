"""/verify/ and the acknowledgement downloads in a real browser (issue 14, points
7 and 8): Debian's Chromium without JavaScript against ``tipline serve``, with a
genuine certificate, a tampered copy and a reporter's acknowledgement.

Set TIPLINE_SHOTS_DIR to keep screenshots (360 and 1280 px, English and Chinese).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
ISSUE = """
from datetime import date
from pathlib import Path
from tipline.rewards.certificates import issue_certificate
made = issue_certificate(printed_name="Zhang San 张三", language="both",
                         issued_on=date(2026, 11, 30))
Path({out!r}).write_bytes(made.pdf)
Path({out!r} + ".code").write_text(made.code)
"""


def shoot(page, name):
    folder = os.environ.get("TIPLINE_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)


def issue_in(live, tmp_path) -> tuple[Path, str]:
    out = str(tmp_path / "certificate.pdf")
    live.run("manage", "shell", "-c", ISSUE.format(out=out))
    return Path(out), Path(out + ".code").read_text()


def check_file(page, base, path):
    page.goto(base + "/verify/")
    page.get_by_label("PDF file", exact=True).set_input_files(path)
    page.get_by_role("button", name="Check the file").click()


def test_verify_accepts_a_genuine_certificate_and_rejects_a_tampered_one(
    browser, live_tipline, tmp_path
):
    base = live_tipline.url
    pdf, code = issue_in(live_tipline, tmp_path)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()

    page.goto(base + "/verify/")
    page.get_by_role("textbox", name="Verification code").fill(
        code.lower().replace("-", " ")
    )
    page.get_by_role("button", name="Check the code").click()
    expect(page.get_by_role("heading", name="Genuine", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Zhang San 张三")
    assert page.url == f"{base}/verify/{code}/"

    check_file(page, base, pdf)
    expect(page.get_by_role("heading", name="Genuine", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("own signature is intact")

    data = pdf.read_bytes()
    at = data.index(b"Zhang San")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(data[:at] + b"Zhang Sam" + data[at + 9 :])
    check_file(page, base, tampered)
    expect(page.get_by_role("heading", name="Not genuine")).to_be_visible()
    expect(page.locator("#verdict")).to_contain_text("not a genuine document")
    expect(page.locator("main")).not_to_contain_text("Zhang")

    page.goto(base + "/verify/")
    page.get_by_role("textbox", name="Verification code").fill("1234-5678")
    page.get_by_role("button", name="Check the code").click()
    expect(page.locator("#code-error")).to_contain_text("not a verification code")
    context.close()


def test_a_reporter_downloads_an_acknowledgement_that_verify_accepts(
    browser, live_tipline, tmp_path
):
    base = live_tipline.url
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(base + "/report/approach/")
    page.get_by_label("What happened?").fill("Someone photographed the gate.")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#acknowledgement-risk")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role(
            "button", name="Download the signed acknowledgement (PDF)"
        ).click()
    saved = tmp_path / "acknowledgement.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    check_file(page, base, saved)
    expect(page.get_by_role("heading", name="Genuine", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("confirms that it received a report")
    context.close()


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_screenshots_of_verify_and_the_download_links(
    browser, live_tipline, tmp_path, locale
):
    base = live_tipline.url
    _pdf, code = issue_in(live_tipline, tmp_path)
    for name, viewport in (("360", PHONE), ("1280", DESKTOP)):
        context = browser.new_context(
            java_script_enabled=False, viewport=viewport, locale=locale
        )
        page = context.new_page()
        page.goto(base + "/verify/")
        expect(page.locator("#code")).to_be_visible()
        shoot(page, f"verify-{locale}-{name}")
        page.goto(f"{base}/verify/{code}/")
        expect(page.locator("section.statement")).to_have_count(2)
        shoot(page, f"verify-genuine-{locale}-{name}")
        page.goto(f"{base}/verify/ABCD-EFGH-JKMN-PQRS-TVWX/")
        shoot(page, f"verify-unknown-{locale}-{name}")
        page.goto(base + "/report/approach/")
        page.locator("textarea").first.fill("Someone photographed the gate.")
        page.locator("form#report-form button[type=submit]").click()
        expect(page.locator("#acknowledgement-risk")).to_be_visible()
        page.locator("#acknowledgement-title").scroll_into_view_if_needed()
        shoot(page, f"receipt-acknowledgement-{locale}-{name}")
        receipt = page.locator("#receipt").inner_text()
        page.goto(base + "/followup/")
        page.locator("input[name=receipt]").fill(receipt)
        page.locator("#signin-form button[type=submit]").click()
        expect(page.locator("#download-acknowledgement")).to_be_visible()
        shoot(page, f"followup-acknowledgement-{locale}-{name}")
        context.close()
