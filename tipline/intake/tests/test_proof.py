"""Proof of work: asked for only during a flood, it lets a browser with JavaScript
skip the flood's longer wait; without JavaScript the form keeps working."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens
from tipline.cases.models import Report
from tipline.intake import flood, proof

BITS = 10


def solve(token: str, bits: int = BITS) -> str:
    """What proof.js does, in Python."""
    n = 0
    while not proof.is_solved(token, str(n), bits):
        n += 1
    return str(n)


@pytest.fixture
def flooded(settings):
    """A service under a flood: every form needs an hour, or a proof of work."""
    settings.FORM_MIN_FILL_SECONDS = 0
    settings.FLOOD_REPORTS_PER_MINUTE = -1
    settings.FLOOD_MIN_FILL_SECONDS = 3600
    settings.PROOF_OF_WORK_BITS = BITS
    assert flood.under_flood()
    return settings


def test_a_solution_is_bound_to_its_token_and_its_difficulty():
    token = "report-token-a"
    answer = solve(token)

    assert proof.is_solved(token, answer, BITS)
    assert not proof.is_solved("report-token-b", answer, BITS)
    # A solution at 10 bits is almost never one at 30.
    assert not proof.is_solved(token, answer, 30)
    for hostile in ("", " 1", "1e3", "-1", "٣", "1" * 21, "0x10"):
        assert not proof.is_solved(token, hostile, BITS)
    assert not proof.is_solved(token, answer, 0)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(token=st.text(max_size=300), answer=st.text(max_size=40))
def test_checking_any_input_is_cheap_and_never_fails(token, answer):
    assert proof.is_solved(token, answer, 64) in (True, False)


@pytest.mark.django_db
def test_without_a_flood_no_proof_is_asked_for(browser_client, owner, settings):
    settings.FORM_MIN_FILL_SECONDS = 0
    html = browser_client.get("/report/approach/").content.decode()

    assert "data-proof-bits" not in html
    assert "proof.js" not in html
    assert browser_client.get("/api/v1/tokens").json()["proof_bits"] == 0
    sent = browser_client.post(
        "/report/approach/", {**form_tokens(html), "what_happened": "no flood"}
    )
    assert sent.status_code == 200


@pytest.mark.django_db
def test_under_a_flood_a_solved_proof_skips_the_wait(browser_client, owner, flooded):
    html = browser_client.get("/report/approach/").content.decode()
    assert f'data-proof-bits="{BITS}"' in html
    assert re.search(r'<script src="/static/tipline/proof[^"]*\.js" defer>', html)
    tokens = form_tokens(html)

    wrong = browser_client.post(
        "/report/approach/",
        {**tokens, "what_happened": "a forged proof", "proof": solve("other")},
    )
    assert wrong.status_code == 400
    assert "must be open for at least 3600 seconds" in wrong.content.decode()
    assert "a forged proof" in wrong.content.decode()  # the answers are kept
    assert Report.objects.count() == 0

    sent = browser_client.post(
        "/report/approach/",
        {**tokens, "what_happened": "a real report", "proof": solve(tokens["token"])},
    )
    assert sent.status_code == 200
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_apps_get_the_difficulty_and_send_the_proof(client, owner, flooded):
    issued = client.get("/api/v1/tokens").json()
    assert issued["proof_bits"] == BITS
    report = {"category": "approach", "token": issued["report"]}
    answers = '{"what_happened": "sent from the app"}'

    held = client.post("/api/v1/reports", {**report, "answers": answers})
    assert held.status_code == 429

    sent = client.post(
        "/api/v1/reports",
        {**report, "answers": answers, "proof": solve(issued["report"])},
    )
    assert sent.status_code == 201
    assert Report.objects.count() == 1


@pytest.mark.browser
def test_in_a_browser_the_proof_is_found_and_no_javascript_still_works(
    browser, tmp_path, live_database
):
    live = liveserver.prepare(
        tmp_path,
        TIPLINE_PASSWORD=PASSWORD,
        TIPLINE_FLOOD_REPORTS_PER_MINUTE="-1",
        TIPLINE_FLOOD_MIN_FILL_SECONDS="3600",
        TIPLINE_PROOF_OF_WORK_BITS="14",
        **live_database,
    )
    with liveserver.running(live):
        with_script = browser.new_context(locale="en")
        page = with_script.new_page()
        page.goto(live.url + "/report/approach/")
        page.get_by_label("What happened?").fill("Sent at once, with a proof.")
        page.get_by_role("button", name="Send report").click()
        expect(
            page.get_by_role("heading", name="Your report has been received")
        ).to_be_visible(timeout=60_000)

        without = browser.new_context(java_script_enabled=False, locale="en")
        page = without.new_page()
        page.goto(live.url + "/report/approach/")
        page.get_by_label("What happened?").fill("Sent without JavaScript.")
        page.get_by_role("button", name="Send report").click()
        # Held with the answers kept, not dropped: the same form goes through once
        # it has been open long enough (test_flood.py waits that out).
        expect(page.get_by_role("alert")).to_contain_text(
            "must be open for at least 3600 seconds"
        )
        expect(page.get_by_label("What happened?")).to_have_value(
            "Sent without JavaScript."
        )
        with_script.close()
        without.close()
