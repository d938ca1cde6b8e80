"""A form token is as good as the receipt only for minutes (issue 11, point 5a).

Sending the same form again must stay safe (one report), but after the receipt
window it must not hand out the receipt again, in HTML or through the API, from
this browser or any other.
"""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from testkit.helpers import BrowserClient, form_tokens, receipt_in
from tipline.cases.models import Report

pytestmark = pytest.mark.django_db

ANSWERS = {"what_happened": "A stranger photographed the gate codes."}
ALREADY = "Its receipt code was shown when it was sent and is not shown again"


def form(client):
    return {**form_tokens(client.get("/report/approach/").text), **ANSWERS}


def test_the_receipt_page_is_a_redirect_and_reloads_within_the_window(
    browser_client, owner
):
    response = browser_client.post("/report/approach/", form(browser_client))

    assert response.redirect_chain == [("/receipt/", 303)]
    receipt = receipt_in(response.text)
    cookie = browser_client.cookies["tl_receipt"]
    assert (cookie["httponly"], cookie["samesite"], cookie["path"]) == (
        True,
        "Strict",
        "/receipt/",
    )
    assert receipt.replace(" ", "") not in cookie.value
    assert receipt_in(browser_client.get("/receipt/").text) == receipt
    assert "for 10 minutes after you sent the report" in response.text


def test_after_the_window_the_receipt_page_is_gone(browser_client, owner, settings):
    browser_client.post("/report/approach/", form(browser_client))

    later = timedelta(seconds=settings.RECEIPT_SHOWN_SECONDS + 1)
    with time_machine.travel(later):
        page = browser_client.get("/receipt/").text

    assert 'id="receipt"' not in page
    assert "The receipt code is no longer shown" in page


def test_the_reporter_can_remove_the_receipt_at_once(browser_client, owner):
    sent = browser_client.post("/report/approach/", form(browser_client))
    receipt = receipt_in(sent.text)

    done = browser_client.post("/receipt/done/", form_tokens(sent.text))

    assert "The receipt code is no longer shown" in done.text
    assert receipt not in browser_client.get("/receipt/").text


@pytest.mark.parametrize("same_browser", [True, False])
def test_a_replayed_form_shows_its_receipt_only_within_the_window(
    browser_client, owner, settings, same_browser
):
    data = form(browser_client)
    first = receipt_in(browser_client.post("/report/approach/", data).text)
    other = browser_client if same_browser else BrowserClient()
    if not same_browser:
        # A copy of the form's token, sent from another browser with its own CSRF.
        csrf = form_tokens(other.get("/report/approach/").text)["csrfmiddlewaretoken"]
        data = {**data, "csrfmiddlewaretoken": csrf}

    soon = other.post("/report/approach/", data)
    assert receipt_in(soon.text) == first
    with time_machine.travel(timedelta(seconds=settings.RECEIPT_SHOWN_SECONDS + 1)):
        late = other.post("/report/approach/", data)

    assert late.status_code == 200
    assert "Your report was already received" in late.text
    assert ALREADY in late.text
    assert 'id="receipt"' not in late.text
    assert first not in late.text
    assert Report.objects.count() == 1


def test_the_api_returns_the_receipt_again_only_within_the_window(
    client, owner, settings
):
    token = client.get("/api/v1/tokens").json()["report"]
    body = {"category": "approach", "token": token, "answers": json.dumps(ANSWERS)}

    first = client.post("/api/v1/reports", body)
    again = client.post("/api/v1/reports", body)
    with time_machine.travel(timedelta(seconds=settings.RECEIPT_SHOWN_SECONDS + 1)):
        late = Client().post("/api/v1/reports", body)

    assert first.status_code == 201
    assert again.json()["receipt"] == first.json()["receipt"]
    assert late.status_code == 200
    assert late.json() == {
        "receipt": None,
        "created": False,
        "files": [],
        "originals_kept": False,
    }
    assert Report.objects.count() == 1


def test_a_replayed_form_with_files_is_not_scrubbed_again_and_shows_no_receipt(
    browser_client, owner, settings
):
    data = {**form(browser_client), "files": []}
    browser_client.post("/report/approach/", data)
    with time_machine.travel(timedelta(seconds=settings.RECEIPT_SHOWN_SECONDS + 1)):
        late = browser_client.post("/report/approach/", data)
    assert ALREADY in late.text
    assert Report.objects.count() == 1


def test_the_hourly_sweep_deletes_expired_handles(browser_client, owner, settings):
    from tipline.intake.models import BrowserHandle
    from tipline.intake.tasks import sweep_orphaned_files

    browser_client.post("/report/approach/", form(browser_client))
    assert BrowserHandle.objects.count() == 2

    sweep_orphaned_files.call()
    assert BrowserHandle.objects.count() == 2
    with time_machine.travel(timedelta(hours=2)):
        sweep_orphaned_files.call()

    assert BrowserHandle.objects.count() == 0


def test_a_second_report_from_the_same_browser_shows_its_own_receipt(
    browser_client, owner
):
    first = receipt_in(
        browser_client.post("/report/approach/", form(browser_client)).text
    )

    second = browser_client.post(
        "/report/approach/", form(browser_client), follow=False
    )

    cookie = second.cookies["tl_receipt"]
    assert (cookie["max-age"], cookie["expires"]) == ("", "")
    shown = receipt_in(browser_client.get("/receipt/").text)
    assert shown != first
