"""A case from new to closed in a real browser, with a duplicate linked."""

import pytest
from playwright.sync_api import expect

from testkit.helpers import PASSWORD

pytestmark = pytest.mark.browser

FIRST = (
    "A man who said his name was Viktor Hale approached me at the cafe opposite "
    "the main gate of the naval research laboratory. He offered me money for the "
    "floor plans of building four and asked who works the night shift."
)
AGAIN = (
    "He offered me cash for the floor plans of building four and asked who works "
    "the night shift. A man who said his name was Viktor Hale approached me at the "
    "cafe opposite the main gate of the naval research laboratory."
)


def send_report(context, base, text):
    page = context.new_page()
    page.goto(base + "/report/approach/")
    page.get_by_label("What happened?").fill(text)
    page.get_by_role("button", name="Send report").click()
    expect(
        page.get_by_role("heading", name="Your report has been received")
    ).to_be_visible()
    receipt = page.locator("#receipt").inner_text()
    page.close()
    return receipt


def test_an_analyst_walks_a_case_to_closed_with_a_duplicate_linked(
    browser, live_tipline
):
    base = live_tipline.url
    reporter = browser.new_context(java_script_enabled=False, locale="en")
    send_report(reporter, base, FIRST)
    receipt = send_report(reporter, base, AGAIN)

    staff = browser.new_context(locale="en")
    desk = staff.new_page()
    desk.goto(base + "/staff/login/")
    desk.get_by_label("Username").fill("analyst")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()

    # The newest case lists the first as a likely duplicate; link them.
    desk.get_by_role("link", name="#2").click()
    duplicates = desk.locator("ul.links li")
    expect(duplicates).to_contain_text("#1")
    expect(duplicates).to_contain_text("Likely duplicate")
    expect(duplicates.locator(".similarity")).to_contain_text("%")
    duplicates.get_by_role("button", name="Link", exact=True).click()
    expect(desk.locator("ul.links li")).to_contain_text("Linked")

    # Acknowledge, review, record the risk, assign, note, then close.
    for status in ("Acknowledged", "Under review"):
        desk.get_by_label("New status").select_option(label=status)
        desk.get_by_role("button", name="Change status").click()
        expect(desk.locator("dd.status")).to_have_text(status)
    desk.get_by_label("Risk of retaliation against the reporter").select_option(
        label="High"
    )
    desk.get_by_label("Why (who could find out").fill("Only three people on shift.")
    desk.get_by_role("button", name="Save assessment").click()
    expect(desk.locator("dd.risk")).to_contain_text("High")
    desk.get_by_label("Assign to").select_option(label="analyst")
    desk.get_by_role("button", name="Assign").click()
    desk.get_by_label("Internal note").fill("Matches the earlier report.")
    desk.get_by_role("button", name="Add note").click()
    expect(desk.locator("li.note")).to_contain_text("Matches the earlier report.")
    desk.get_by_label("New status").select_option(label="Closed")
    desk.get_by_label("Outcome (when closing)").select_option(label="Referred")
    desk.get_by_role("button", name="Change status").click()
    expect(desk.locator("dd.status")).to_have_text("Closed · Referred")
    expect(desk.locator("ol.history")).to_contain_text(
        "Changed the status → Closed (Referred)"
    )

    # The inbox groups the two linked reports into one row.
    desk.goto(base + "/staff/?status=all&grouped=on")
    expect(desk.locator("table.inbox tbody tr")).to_have_count(1)
    expect(desk.locator("table.inbox")).to_contain_text("+1 linked")

    # The reporter sees plain words, not the internal outcome code.
    page = reporter.new_page()
    page.goto(base + "/followup/")
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    expect(page.locator("#status")).to_contain_text(
        "It was passed to the authority responsible."
    )
    expect(page.get_by_text("Matches the earlier report.")).to_have_count(0)
    reporter.close()
    staff.close()
