import pytest

from tipline.cases.models import Message
from tipline.conftest import form_tokens, post_form, receipt_in

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
    data = {
        **form_tokens(page),
        "receipt": receipt.replace(" ", ""),
        "body": "More: 3 men",
    }

    first = browser_client.post("/followup/message/", data)
    second = browser_client.post("/followup/message/", data)

    assert first.status_code == second.status_code == 200
    assert "Your message was sent." in first.content.decode()
    assert "More: 3 men" in first.content.decode()
    assert Message.objects.count() == 1
    message = Message.objects.get()
    assert message.author_kind == "reporter"
    assert b"More: 3 men" not in bytes(message.body_encrypted)
    assert message.created_at.minute == 0


def test_empty_message_is_refused_with_the_report_still_shown(browser_client, receipt):
    page = open_report(browser_client, receipt).content.decode()
    data = {**form_tokens(page), "receipt": receipt.replace(" ", ""), "body": ""}

    response = browser_client.post("/followup/message/", data)

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert "Drone filmed" in response.content.decode()
    assert Message.objects.count() == 0


def test_message_with_a_wrong_receipt_is_refused(browser_client, receipt):
    page = open_report(browser_client, receipt).content.decode()
    wrong = ("1" if receipt[0] != "1" else "2") + receipt[1:].replace(" ", "")
    data = {**form_tokens(page), "receipt": wrong, "body": "hello"}

    response = browser_client.post("/followup/message/", data)

    assert response.status_code == 400
    assert WRONG in response.content.decode()
    assert Message.objects.count() == 0
