"""The signed acknowledgement of a report (issue 14, point 8): offered on the
receipt and follow-up pages, verifiable at /verify/, opened only with the receipt,
and linked to the report by nothing the server keeps."""

import io
import json
import shutil
import subprocess
from datetime import datetime, timedelta

import pikepdf
import pytest
import time_machine
from django.db import connection
from django.test import Client

from testkit.helpers import post_form, receipt_in
from tipline.audit.models import AuditEvent
from tipline.cases.models import Report
from tipline.crypto import normalise_receipt
from tipline.intake.acknowledgement_views import DOCUMENTS_PER_VISIT, report_content
from tipline.intake.services import access_with_receipt
from tipline.rewards import certificates
from tipline.rewards.models import SignedDocument

pytestmark = pytest.mark.django_db

TEXT = "A stranger photographed the gate codes at the depot."
RISK = "anyone who searches a device or account where this file is stored"


@pytest.fixture
def sent(submit_report, owner):
    return submit_report({"what_happened": TEXT})


def download(client, page, action, language="en"):
    return post_form(client, page, action, {"language": language}, follow=False)


def attachment_statement(pdf: bytes) -> dict:
    found = certificates.verify_pdf(pdf)
    assert found.genuine is True
    return found.statement


def test_the_receipt_page_offers_it_and_explains_the_risk(sent):
    html = sent.content.decode()
    assert 'action="/receipt/acknowledgement/"' in html
    assert RISK in html


def test_the_receipt_page_gives_a_signed_acknowledgement_of_the_week(
    browser_client, sent
):
    receipt = receipt_in(sent.content.decode())
    response = download(browser_client, "/receipt/", "/receipt/acknowledgement/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    statement = attachment_statement(response.content)
    report = Report.objects.get()
    monday = report.received_at.date() - timedelta(days=report.received_at.weekday())
    assert statement["kind"] == "acknowledgement"
    assert statement["week_of"] == monday.isoformat()
    assert certificates.verify_code(statement["code"]).statement == statement
    # The commitment opens with the receipt and the report's content only.
    content = report_content(access_with_receipt(receipt))
    assert TEXT.encode() in content
    assert certificates.opens_commitment(
        statement=statement, receipt=normalise_receipt(receipt), content=content
    )
    assert not certificates.opens_commitment(
        statement=statement, receipt="1" * 28, content=content
    )
    assert not certificates.opens_commitment(
        statement=statement,
        receipt=normalise_receipt(receipt),
        content=content.replace(b"gate", b"door"),
    )


def test_nothing_stored_links_the_acknowledgement_to_the_report(browser_client, sent):
    receipt = normalise_receipt(receipt_in(sent.content.decode()))
    events = AuditEvent.objects.count()
    response = download(browser_client, "/receipt/", "/receipt/acknowledgement/")
    statement = attachment_statement(response.content)

    report = Report.objects.get()
    row = SignedDocument.objects.get()
    raw = row.lookup.encode() + bytes(row.sealed)
    for linked in (
        report.receipt_lookup.encode(),
        receipt.encode(),
        statement["commitment"].encode(),
        statement["week_of"].encode(),
        TEXT.encode(),
    ):
        assert linked not in raw
    # Not audited: an entry beside "report received" would tie the two together.
    assert AuditEvent.objects.count() == events
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM rewards_signeddocument")
        assert sorted(c[0] for c in cursor.description) == ["id", "lookup", "sealed"]
    # The PDF says nothing of the content, and its time is the week's start.
    assert TEXT.encode() not in response.content
    assert b"gate" not in response.content


def test_two_acknowledgements_of_one_report_do_not_match(browser_client, sent):
    first = download(browser_client, "/receipt/", "/receipt/acknowledgement/")
    second = download(browser_client, "/receipt/", "/receipt/acknowledgement/")
    one, two = (attachment_statement(r.content) for r in (first, second))
    assert one["commitment"] != two["commitment"]
    assert one["code"] != two["code"]


def test_after_the_receipt_is_removed_no_acknowledgement_is_made(browser_client, sent):
    post_form(browser_client, "/receipt/", "/receipt/done/", {})
    response = browser_client.post(
        "/receipt/acknowledgement/",
        {"csrfmiddlewaretoken": browser_client.cookies["csrftoken"].value},
        follow=False,
    )
    assert response.status_code == 303
    assert response["Location"] == "/receipt/"
    assert SignedDocument.objects.count() == 0


def test_the_download_needs_the_form_token(browser_client, sent):
    response = browser_client.post("/receipt/acknowledgement/", {"language": "en"})
    assert response.status_code == 403
    assert SignedDocument.objects.count() == 0


def test_the_follow_up_page_offers_it_once_signed_in(browser_client, sent):
    receipt = receipt_in(sent.content.decode())
    page = post_form(browser_client, "/followup/", "/followup/", {"receipt": receipt})
    assert 'action="/followup/acknowledgement/"' in page.content.decode()
    assert RISK in page.content.decode()

    response = download(
        browser_client, "/followup/", "/followup/acknowledgement/", language="both"
    )
    statement = attachment_statement(response.content)
    assert statement["languages"] == ["en", "zh-hans"]
    content = report_content(access_with_receipt(receipt))
    assert certificates.opens_commitment(
        statement=statement, receipt=normalise_receipt(receipt), content=content
    )


def test_without_signing_in_the_follow_up_download_makes_nothing(sent):
    stranger = Client(enforce_csrf_checks=True)
    stranger.get("/followup/")
    response = stranger.post(
        "/followup/acknowledgement/",
        {"csrfmiddlewaretoken": stranger.cookies["csrftoken"].value},
    )
    assert response.status_code == 303
    assert response["Location"] == "/followup/"
    assert SignedDocument.objects.count() == 0


def test_a_chinese_acknowledgement_is_in_chinese(browser_client, sent):
    response = download(
        browser_client, "/receipt/", "/receipt/acknowledgement/", language="zh-hans"
    )
    statement = attachment_statement(response.content)
    assert statement["languages"] == ["zh-hans"]
    assert json.loads(json.dumps(statement))["organisation"] == "Tipline"


def test_an_unknown_language_falls_back_to_the_page_language(browser_client, sent):
    response = download(
        browser_client, "/receipt/", "/receipt/acknowledgement/", language="fr"
    )
    assert attachment_statement(response.content)["languages"] == ["en"]


def signing_time(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf)
    assert shutil.which("pdfsig"), "pdfsig is required: apt-get install poppler-utils"
    out = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout
    return next(line for line in out.splitlines() if "Signing Time" in line)


def test_the_pdf_times_are_the_week_not_the_download(browser_client, sent, tmp_path):
    first = download(browser_client, "/receipt/", "/receipt/acknowledgement/")
    with time_machine.travel(timedelta(minutes=7, seconds=13)):
        later = download(browser_client, "/receipt/", "/receipt/acknowledgement/")

    monday = attachment_statement(first.content)["week_of"]
    stamp = datetime.fromisoformat(monday).strftime("%b %d %Y 00:00:00")
    assert signing_time(first.content, tmp_path).endswith(stamp)
    assert signing_time(later.content, tmp_path).endswith(stamp)
    with pikepdf.open(io.BytesIO(later.content)) as pdf:
        created = str(pdf.docinfo["/CreationDate"])
    assert created.startswith("D:" + monday.replace("-", "") + "000000")


def test_one_visit_makes_a_bounded_number_of_signed_documents(browser_client, sent):
    for _ in range(DOCUMENTS_PER_VISIT):
        response = download(browser_client, "/receipt/", "/receipt/acknowledgement/")
        assert response.status_code == 200
    made = SignedDocument.objects.count()

    refused = download(browser_client, "/receipt/", "/receipt/acknowledgement/")

    assert refused.status_code == 429
    assert "Too many downloads" in refused.content.decode()
    assert SignedDocument.objects.count() == made
    # The receipt is still shown: the limit ends nothing.
    assert receipt_in(browser_client.get("/receipt/").content.decode())
