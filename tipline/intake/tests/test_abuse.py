"""Abuse resistance that identifies nobody: minimum fill time and a honeypot."""

import json
import time

import pytest

from testkit.helpers import form_tokens, receipt_in
from tipline.cases.models import Report

pytestmark = pytest.mark.django_db

ANSWERS = {"what_happened": "A man asked about the night shift at the depot."}


def test_a_form_sent_within_seconds_is_held_once_then_accepted(
    browser_client, owner, settings, monkeypatch
):
    settings.FORM_MIN_FILL_SECONDS = 3
    html = browser_client.get("/report/approach/").content.decode()
    tokens = form_tokens(html)

    too_soon = browser_client.post("/report/approach/", {**tokens, **ANSWERS})

    assert too_soon.status_code == 400
    page = too_soon.content.decode()
    assert "Please take a moment to read your report through" in page
    assert ANSWERS["what_happened"] in page
    assert form_tokens(page)["token"] == tokens["token"]
    assert Report.objects.count() == 0

    later = time.time() + 4
    monkeypatch.setattr(time, "time", lambda: later)
    sent = browser_client.post("/report/approach/", {**tokens, **ANSWERS})

    assert sent.status_code == 200
    assert receipt_in(sent.content.decode())
    assert Report.objects.count() == 1


def test_the_api_asks_to_send_again_when_too_soon(client, owner, settings):
    settings.FORM_MIN_FILL_SECONDS = 3
    token = client.get("/api/v1/tokens").json()["report"]

    response = client.post(
        "/api/v1/reports",
        {"category": "approach", "token": token, "answers": json.dumps(ANSWERS)},
    )

    assert response.status_code == 429
    assert "too soon" in response.json()["errors"]["token"][0]
    assert Report.objects.count() == 0


def test_a_filled_honeypot_stores_nothing_and_keeps_the_answers(browser_client, owner):
    html = browser_client.get("/report/approach/").content.decode()
    assert 'name="homepage"' in html
    assert 'aria-hidden="true"' in html

    response = browser_client.post(
        "/report/approach/",
        {**form_tokens(html), **ANSWERS, "homepage": "http://spam.example"},
    )

    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert ANSWERS["what_happened"] in response.content.decode()
    assert Report.objects.count() == 0
