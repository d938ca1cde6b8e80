from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from testkit.helpers import form_tokens, post_form, receipt_in
from tipline.cases.models import Message
from tipline.intake.models import BrowserHandle
from tipline.profiles.models import Profile

pytestmark = pytest.mark.django_db

WRONG = "We could not open a report with this receipt code."


@pytest.fixture
def receipt(submit_report, owner):
    response = submit_report({"what_happened": "Drone filmed the base fence at night"})
    return receipt_in(response.content.decode())


def open_report(client, receipt):
    return post_form(client, "/followup/", "/followup/", {"receipt": receipt})


def test_receipt_opens_the_report_with_its_status(browser_client, receipt):
    response = open_report(browser_client, receipt)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Drone filmed the base fence at night" in html
    assert "Received. It has not been read yet." in html
    assert "No messages yet." in html


def test_receipt_typed_with_dashes_and_no_spaces_works(browser_client, receipt):
    response = open_report(browser_client, receipt.replace(" ", "-"))
    assert response.status_code == 200
    response = open_report(browser_client, receipt.replace(" ", ""))
    assert response.status_code == 200


def test_wrong_receipt_gets_one_generic_error(browser_client, receipt):
    wrong = ("1" if receipt[0] != "1" else "2") + receipt[1:]

    response = open_report(browser_client, wrong)

    assert response.status_code == 400
    assert WRONG in response.content.decode()
    assert "Drone" not in response.content.decode()


def test_wrong_receipt_and_no_reports_at_all_look_the_same(browser_client, profile):
    response = open_report(browser_client, "1234 " * 6 + "1234")
    assert response.status_code == 400
    assert WRONG in response.content.decode()


@pytest.mark.parametrize("typed", ["12345", "abcd " * 7, "", "1" * 500])
def test_malformed_receipt_is_explained(browser_client, profile, typed):
    response = open_report(browser_client, typed)

    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "A receipt code has 28 digits" in html
        or "This field is required." in html
        or "at most 100 characters" in html
    )


def test_reporter_can_send_a_message_once_per_form(browser_client, receipt):
    page = open_report(browser_client, receipt).content.decode()
    data = {**form_tokens(page), "body": "More: 3 men"}

    first = browser_client.post("/followup/message/", data)
    second = browser_client.post("/followup/message/", data)

    assert first.status_code == second.status_code == 200
    assert first.redirect_chain == [("/followup/", 303)]
    assert "Your message was sent." in first.content.decode()
    assert "More: 3 men" in first.content.decode()
    # The confirmation is shown once: a reload shows the report without it.
    assert "Your message was sent." not in browser_client.get("/followup/").text
    assert Message.objects.count() == 1
    message = Message.objects.get()
    assert message.author_kind == "reporter"
    assert b"More: 3 men" not in bytes(message.body_encrypted)
    assert message.created_at.minute == 0


def test_empty_message_is_refused_with_the_report_still_shown(browser_client, receipt):
    page = open_report(browser_client, receipt).content.decode()
    data = {**form_tokens(page), "body": ""}

    response = browser_client.post("/followup/message/", data)

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert "Drone filmed" in response.content.decode()
    assert Message.objects.count() == 0


def test_a_message_without_a_sign_in_is_kept_for_after_signing_in(
    browser_client, receipt
):
    page = open_report(Client(), receipt).content.decode()
    signin_page = browser_client.get("/followup/").text
    # A receipt in the form body no longer opens anything: only the handle does.
    data = {
        **form_tokens(page),
        **form_tokens(signin_page),
        "receipt": receipt,
        "body": "Written while signed out",
    }

    response = browser_client.post("/followup/message/", data)

    assert response.status_code == 400
    assert "enter your receipt code again to send it" in response.text
    assert Message.objects.count() == 0
    page = open_report(browser_client, receipt)
    assert "Written while signed out</textarea>" in page.text
    assert Message.objects.count() == 0


def handle_cookie(client, name="tl_followup"):
    return client.cookies[name]


def test_signing_in_redirects_and_the_browser_holds_a_handle_not_the_receipt(
    browser_client, receipt
):
    response = open_report(browser_client, receipt)

    assert response.redirect_chain == [("/followup/", 303)]
    cookie = handle_cookie(browser_client)
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/followup/"
    digits = receipt.replace(" ", "")
    assert digits not in cookie.value
    html = response.text
    assert digits not in html.replace(" ", "")
    # The receipt page's, the replay window's and this sign-in's.
    assert BrowserHandle.objects.count() == 3
    for row in BrowserHandle.objects.all():
        assert digits.encode() not in bytes(row.sealed)
        assert row.purge_after.minute == row.purge_after.second == 0
    # Reloading the page is a GET that shows the report again, no body re-sent.
    assert "Drone filmed" in browser_client.get("/followup/").text


def test_sign_out_ends_the_handle_on_the_server_and_back_shows_nothing(
    browser_client, receipt
):
    open_report(browser_client, receipt)
    stolen = handle_cookie(browser_client).value
    page = browser_client.get("/followup/").text

    signed_out = browser_client.post(
        "/followup/signout/", form_tokens(page), follow=True
    )

    assert "You have signed out." in signed_out.text
    assert "Drone filmed" not in browser_client.get("/followup/").text
    # A copy of the cookie taken before signing out opens nothing either.
    thief = Client()
    thief.cookies["tl_followup"] = stolen
    assert "Drone filmed" not in thief.get("/followup/").text
    assert "Open my report" in thief.get("/followup/").text


def test_the_handle_ends_after_the_idle_time(browser_client, receipt, settings):
    open_report(browser_client, receipt)
    assert "Drone filmed" in browser_client.get("/followup/").text

    with time_machine.travel(timedelta(seconds=settings.FOLLOWUP_IDLE_SECONDS + 1)):
        page = browser_client.get("/followup/").text

    assert "Drone filmed" not in page
    assert "Open my report" in page


@pytest.mark.parametrize(
    "cookie", ["", "x", "A" * 43, "A" * 42 + "=", "%00" * 43, "Ä" * 43, "A" * 5000]
)
def test_a_forged_handle_opens_nothing(browser_client, receipt, cookie):
    browser_client.cookies["tl_followup"] = cookie

    response = browser_client.get("/followup/")

    assert response.status_code == 200
    assert "Open my report" in response.text
    assert "Drone filmed" not in response.text


def test_get_on_the_post_only_addresses_answers_with_a_page(browser_client, profile):
    paths = ("/followup/message/", "/followup/signout/", "/receipt/done/")
    for path in (*paths, "/language/", "/language/keep/", "/receipt/"):
        response = browser_client.get(path, follow=True)
        assert response.status_code == 200, path
        assert "<h1>" in response.text


def test_a_profile_may_keep_the_report_text_off_the_follow_up_page(
    browser_client, receipt, client
):
    Profile.objects.update(followup_shows_report=False)

    page = open_report(browser_client, receipt).text
    api = client.post(
        "/api/v1/followup", {"receipt": receipt}, content_type="application/json"
    ).json()

    assert "Drone filmed" not in page
    assert "Your report's text is not shown here" in page
    assert "Received. It has not been read yet." in page
    assert api["answers_shown"] is False
    assert api["answers"] == []


def test_by_default_the_follow_up_page_shows_the_text_and_says_who_can_see_it(
    browser_client, receipt
):
    page = open_report(browser_client, receipt).text

    assert "Drone filmed" in page
    assert "Anyone who has your receipt code can see it too." in page


def test_signing_in_again_in_the_same_browser_keeps_it_signed_in(
    browser_client, receipt
):
    open_report(browser_client, receipt)
    first = handle_cookie(browser_client).value

    again = post_form(
        browser_client, "/followup/", "/followup/", {"receipt": receipt}, follow=False
    )

    # A browser keeps the new cookie: no deletion is left on it (Django's test
    # client would keep it anyway, so the header itself is checked).
    cookie = again.cookies["tl_followup"]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie.value != first
    assert "Drone filmed" in browser_client.get("/followup/").text
    # The earlier handle was ended on the server, not just replaced.
    thief = Client()
    thief.cookies["tl_followup"] = first
    assert "Drone filmed" not in thief.get("/followup/").text
