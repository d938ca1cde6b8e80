"""/verify/ over HTTP, like a browser without JavaScript (issue 14, points 7 and
8): by code, by file, the wrong shape, unknown, tampered, throttled."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tipline.audit.models import AuditEvent
from tipline.crypto import signing
from tipline.rewards import certificates
from tipline.rewards.models import SignedDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def made():
    return certificates.issue_certificate(
        printed_name="Zhang San", language="en", issued_on=date(2026, 11, 30)
    )


def csrf_token(client):
    client.get("/verify/")
    return client.cookies["csrftoken"].value


def upload(client, data: bytes, name="certificate.pdf"):
    return client.post(
        "/verify/file/",
        {
            "csrfmiddlewaretoken": csrf_token(client),
            "document": SimpleUploadedFile(name, data, "application/pdf"),
        },
    )


def test_the_page_offers_both_ways_to_check(browser_client):
    page = browser_client.get("/verify/")
    assert page.status_code == 200
    assert 'action="/verify/"' in page.text
    assert 'method="get"' in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_a_typed_code_goes_to_its_page_and_says_what_it_says(browser_client, made):
    typed = made.code.lower().replace("-", " ")
    sent = browser_client.get("/verify/", {"code": typed})
    assert sent.status_code == 303
    assert sent["Location"] == f"/verify/{made.code}/"

    page = browser_client.get(sent["Location"])
    assert page.status_code == 200
    assert "<h1>Genuine</h1>" in page.text
    assert "Zhang San" in page.text
    assert "Tipline commends" in page.text
    assert 'lang="zh-hans"' in page.text  # what it says, in both languages
    assert made.code in page.text


def test_a_code_page_in_another_spelling_works(browser_client, made):
    page = browser_client.get(f"/verify/{made.code.lower()}/")
    assert page.status_code == 200
    assert "Zhang San" in page.text


def test_an_unknown_code_says_not_genuine_and_nothing_else(browser_client, made):
    unknown = signing.format_code(signing.new_code())
    page = browser_client.get(f"/verify/{unknown}/")

    assert page.status_code == 404
    assert "No genuine document has this code." in page.text
    assert "Zhang San" not in page.text
    assert AuditEvent.objects.filter(
        action="certificate.verify_failed", detail={"reason": "unknown"}
    ).exists()


@pytest.mark.parametrize(
    "typed",
    ["1234", "7K3Q-M9XD-2HPA-V6RT-8WNU", "<script>alert(1)</script>", "x" * 500],
)
def test_a_code_of_the_wrong_shape_gets_a_clear_message(browser_client, typed):
    page = browser_client.get("/verify/", {"code": typed})

    assert page.status_code == 400
    assert "This is not a verification code." in page.text
    assert "<script>alert" not in page.text
    assert 'aria-invalid="true"' in page.text
    assert AuditEvent.objects.filter(
        action="certificate.verify_failed", detail={"reason": "malformed"}
    ).exists()


def test_a_malformed_code_in_the_path_gets_the_same_message(browser_client):
    page = browser_client.get("/verify/not-a-code/")
    assert page.status_code == 400
    assert "This is not a verification code." in page.text


def test_a_genuine_file_is_confirmed(browser_client, made):
    page = upload(browser_client, made.pdf)
    assert page.status_code == 200
    assert "own signature is intact: it is exactly the file" in page.text
    assert "Zhang San" in page.text


def test_a_tampered_file_is_refused(browser_client, made):
    at = made.pdf.index(b"Zhang San")
    tampered = made.pdf[:at] + b"Zhang Sam" + made.pdf[at + 9 :]
    page = upload(browser_client, tampered)

    assert page.status_code == 400
    assert "This file is not a genuine document" in page.text
    assert "Zhang" not in page.text


def test_a_file_is_checked_only_with_the_form_token(browser_client, made):
    sent = browser_client.post(
        "/verify/file/",
        {"document": SimpleUploadedFile("c.pdf", made.pdf, "application/pdf")},
    )
    assert sent.status_code == 403


def test_no_file_gets_a_clear_message(browser_client):
    page = browser_client.post(
        "/verify/file/", {"csrfmiddlewaretoken": csrf_token(browser_client)}
    )
    assert page.status_code == 400
    assert "Choose the PDF file" in page.text


def test_too_many_files_a_minute_are_refused(browser_client, made, settings):
    settings.VERIFY_UPLOADS_PER_MINUTE = 1
    assert upload(browser_client, made.pdf).status_code == 200
    page = upload(browser_client, made.pdf)
    assert page.status_code == 429
    assert "Very many files are being checked right now." in page.text


def test_verification_changes_nothing_stored(browser_client, made):
    before = list(SignedDocument.objects.values_list("lookup", "sealed"))
    browser_client.get(f"/verify/{made.code}/")
    upload(browser_client, made.pdf)
    after = list(SignedDocument.objects.values_list("lookup", "sealed"))
    assert [(a, bytes(b)) for a, b in after] == [(a, bytes(b)) for a, b in before]


def test_the_pages_are_in_chinese_too(browser_client, made):
    browser_client.cookies["django_language"] = "zh-hans"
    page = browser_client.get(f"/verify/{made.code}/")
    assert '<html lang="zh-hans">' in page.text
