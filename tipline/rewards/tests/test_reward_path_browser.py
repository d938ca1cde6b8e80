"""The whole reward path in a real browser (issue 14, "done when"): Debian's
Chromium against ``tipline serve``. A reporter without JavaScript asks to be
considered; an analyst closes the case as substantiated and proposes a reward; a
rewards approver approves it with their second factor; the reporter accepts on
the follow-up page and gets a claim code; finance pays it; the reporter's page
says "paid" and gives a certificate that /verify/ accepts, and a tampered copy is
rejected.

Set TIPLINE_SHOTS_DIR to keep screenshots (360 and 1280 px, English and Chinese).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from testkit.helpers import PASSWORD, authenticator_code

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
TEXT = (
    "A man who called himself a recruiter offered me 5,000 yuan a month for "
    "photographs of the radar station's gate and the names of the night shift."
)
BUDGET = """
from django.utils import timezone
from tipline.accounts.models import User
from tipline.rewards import services
services.set_budget(user=User.objects.get(username="admin"),
                    policy=services.policy_for("national-security"),
                    year=timezone.localdate().year, amount=10_000_000)
"""


def shoot(context_page, name, both_widths=True):
    folder = os.environ.get("TIPLINE_SHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        if label == "1280" and not both_widths:
            continue
        context_page.set_viewport_size(size)
        context_page.screenshot(
            path=Path(folder) / f"{name}-{label}.png", full_page=True
        )
    context_page.set_viewport_size(PHONE)


def shoot_in_chinese(browser, context, url, name):
    """The same page in Chinese, in a second context holding the same cookies."""
    if not os.environ.get("TIPLINE_SHOTS_DIR"):
        return
    other = browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport=PHONE
    )
    other.add_cookies(context.cookies())
    other.set_extra_http_headers({"Accept-Language": "zh-Hans"})
    page = other.new_page()
    page.goto(url)
    shoot(page, name)
    other.close()


def staff_sign_in(browser, base, username, *, enrol):
    """A staff member's page, signed in; with ``enrol``, setting up their
    authenticator as the role requires. Returns the page and the secret."""
    page = browser.new_context(locale="en", viewport=DESKTOP).new_page()
    page.goto(base + "/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    secret = None
    if enrol:
        secret = page.locator("#secret").inner_text().replace(" ", "")
        page.get_by_label("Code").fill(authenticator_code(secret))
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("link", name="Continue to the inbox").click()
    return page, secret


def test_a_substantiated_report_is_rewarded_paid_and_certified(
    browser, live_tipline, tmp_path
):
    base, live = live_tipline.url, live_tipline
    live.run("createuser", "approver", "--role", "rewards_approver", "--team", "triage")
    live.run("createuser", "fiona", "--role", "finance", "--team", "finance")
    live.run("createuser", "admin", "--role", "administrator")
    live.run("manage", "shell", "-c", BUDGET)

    # The reporter, without JavaScript, asks to be considered.
    reporter = browser.new_context(
        java_script_enabled=False, locale="en", viewport=PHONE
    )
    form = reporter.new_page()
    form.goto(base + "/report/approach/")
    form.get_by_label("What happened?").fill(TEXT)
    form.get_by_label("Consider me for a reward or commendation").check()
    form.get_by_role("button", name="Send report").click()
    receipt = form.locator("#receipt").inner_text()

    # The analyst closes the case as substantiated and proposes a reward.
    desk, _ = staff_sign_in(browser, base, "analyst", enrol=False)
    desk.get_by_role("link", name="#1").click()
    expect(desk.locator("#reward-wish")).to_have_text(
        "The reporter asked to be considered for a reward or commendation."
    )
    for status in ("Acknowledged", "Under review", "Closed"):
        desk.get_by_label("New status").select_option(label=status)
        if status == "Closed":
            desk.get_by_label("Outcome (when closing)").select_option(
                label="Substantiated"
            )
        desk.get_by_role("button", name="Change status").click()
    expect(desk.locator("dd.status")).to_have_text("Closed · Substantiated")
    desk.get_by_role("link", name="Propose a reward").click()
    desk.get_by_label(re.compile("Material reward, grade 1")).check()
    desk.get_by_label("Amount").fill("3000.00")
    desk.get_by_label("Justification").fill("The photographs led to the handler.")
    desk.get_by_role("button", name="Propose").click()
    expect(desk.locator(".proposal-status")).to_have_text("Waiting for approval")

    # A rewards approver approves it with a fresh code from their authenticator.
    approver, secret = staff_sign_in(browser, base, "approver", enrol=True)
    approver.goto(base + "/staff/rewards/")
    approver.get_by_role("link", name="#1").click()
    approver.get_by_label("Approve").check()
    approver.get_by_label("Reason").fill("Checked against the arrest record.")
    approver.get_by_label("Code from your authenticator app").fill(
        authenticator_code(secret, steps_ahead=1)
    )
    approver.get_by_role("button", name="Record decision").click()
    expect(approver.locator(".proposal-status").first).to_contain_text("Approved")

    # The reporter sees the offer and accepts it, printing their name.
    page = reporter.new_page()
    page.goto(base + "/followup/")
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    expect(page.locator("#reward-amount")).to_have_text("3000.00 CNY")
    expect(page.locator("#reward-state")).to_have_text(
        "Offered: waiting for your answer"
    )
    shoot(page, "followup-offer")
    shoot_in_chinese(browser, reporter, base + "/followup/", "followup-offer-zh")
    page.get_by_label("Name to print on the certificate (optional)").fill(
        "Zhang San 张三"
    )
    page.get_by_label("Print the certificate in").select_option("both")
    page.get_by_role("button", name="Accept the offer").click()
    claim_code = page.locator("#claim-code").inner_text()
    assert re.fullmatch(r"(\d{4} ){6}\d{4}", claim_code)
    expect(page.locator("#payout-instructions")).to_contain_text(
        "Keep your claim code safe and secret"
    )
    shoot(page, "followup-claim-code")
    page.reload()
    expect(page.locator("#claim-code")).to_have_count(0)
    expect(page.locator("#reward-state")).to_have_text("Accepted: waiting to be paid")
    shoot_in_chinese(browser, reporter, base + "/followup/", "followup-accepted-zh")

    # Finance enters the code the claimant presents and records the payment.
    finance, _ = staff_sign_in(browser, base, "fiona", enrol=True)
    finance.goto(base + "/staff/rewards/payouts/")
    finance.get_by_label("Claim code").fill(claim_code)
    finance.get_by_label("Method").select_option("cash")
    finance.get_by_label("Reference").fill("RCPT-0042")
    finance.get_by_role("button", name=re.compile("Record")).click()
    expect(finance.locator(".messages, .success").first).to_contain_text("3000.00")

    # The reporter's page now says paid and gives the certificate.
    page.reload()
    expect(page.locator("#reward-state")).to_have_text("Paid")
    expect(page.locator("#reward-paid")).to_be_visible()
    shoot(page, "followup-paid")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the certificate (PDF)").click()
    certificate = tmp_path / "certificate.pdf"
    download.value.save_as(certificate)

    # /verify/ accepts the certificate and rejects a tampered copy.
    check = reporter.new_page()
    check.goto(base + "/verify/")
    check.get_by_label("PDF file", exact=True).set_input_files(certificate)
    check.get_by_role("button", name="Check the file").click()
    expect(check.get_by_role("heading", name="Genuine", exact=True)).to_be_visible()
    expect(check.locator("main")).to_contain_text("Zhang San 张三")
    data = certificate.read_bytes()
    at = data.index(b"Zhang San")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(data[:at] + b"Zhang Sam" + data[at + 9 :])
    check.goto(base + "/verify/")
    check.get_by_label("PDF file", exact=True).set_input_files(tampered)
    check.get_by_role("button", name="Check the file").click()
    expect(check.get_by_role("heading", name="Not genuine")).to_be_visible()
    expect(check.locator("main")).not_to_contain_text("Zhang")
