"""The guardrail and "what belongs elsewhere" on the report form, without
JavaScript (issue 15, point 3), and the API's answer to a guardrail hit."""

import html as htmllib
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from testkit.helpers import foreign_scripts, form_tokens, receipt_in
from tipline.audit.models import AuditEvent
from tipline.cases.models import Attachment, Report
from tipline.intake.models import HeldFile
from tipline.intake.tests.samples import gps_jpeg

pytestmark = pytest.mark.django_db

URL = "/report/approach/"
ONLY_WHO = "My new neighbour is Muslim and keeps to himself."
HELD_RE = re.compile(r'name="held_files" value="([^"]+)"')
REMINDER = "but does not say what anyone did"


def post(client, html, data, **extra):
    return client.post(URL, {**form_tokens(html), **data}, **extra)


def test_a_forged_confirmation_value_still_shows_the_reminder(browser_client, owner):
    html = browser_client.get(URL).content.decode()
    for forged in ("true", "1", "YES", ""):
        response = post(
            browser_client,
            html,
            {"what_happened": ONLY_WHO, "guardrail_confirmed": forged},
        )
        assert response.status_code == 200
        assert REMINDER in response.content.decode()
    assert Report.objects.count() == 0


def test_the_confirmation_step_keeps_text_and_files_and_send_anyway_stores_one(
    browser_client, owner
):
    html = browser_client.get(URL).content.decode()
    events = AuditEvent.objects.count()
    first = post(
        browser_client,
        html,
        {
            "what_happened": ONLY_WHO,
            "where": "Gate 2",
            "files": [SimpleUploadedFile("a.jpg", gps_jpeg(), "image/jpeg")],
        },
    )
    page = first.content.decode()
    assert first.status_code == 200
    assert REMINDER in page
    assert "Send anyway" in page
    assert 'name="guardrail_confirmed" value="yes"' in page
    assert ONLY_WHO in page
    assert "Gate 2" in page
    assert "1 file is kept" in page
    assert Report.objects.count() == 0
    # Nothing about the hit is stored: no audit entry, no row but the held file.
    assert AuditEvent.objects.count() == events
    assert HeldFile.objects.count() == 1

    data = {
        "what_happened": ONLY_WHO,
        "where": "Gate 2",
        "guardrail_confirmed": "yes",
        "held_files": HELD_RE.search(page).group(1),
    }
    sent = post(browser_client, page, data, follow=True)
    assert receipt_in(sent.content.decode())
    assert Report.objects.count() == 1
    assert Attachment.objects.count() == 1
    # A double submit of the same form makes no second report.
    post(browser_client, page, data, follow=True)
    assert Report.objects.count() == 1


def test_editing_after_the_reminder_then_sending_stores_one(browser_client, owner):
    html = browser_client.get(URL).content.decode()
    page = post(browser_client, html, {"what_happened": ONLY_WHO}).content.decode()
    assert REMINDER in page
    edited = ONLY_WHO + " He photographed the barracks gate twice."
    sent = post(browser_client, page, {"what_happened": edited}, follow=True)
    assert receipt_in(sent.content.decode())
    assert Report.objects.count() == 1


def test_a_report_about_behaviour_goes_straight_through(browser_client, owner):
    html = browser_client.get(URL).content.decode()
    sent = post(
        browser_client,
        html,
        {"what_happened": "A Russian recruiter asked for floor plans."},
        follow=True,
    )
    assert receipt_in(sent.content.decode())


def test_the_chinese_form_shows_the_reminder_in_chinese(browser_client, owner):
    browser_client.cookies["django_language"] = "zh-hans"
    html = browser_client.get(URL).content.decode()
    response = post(browser_client, html, {"what_happened": "我的邻居是穆斯林。"})
    assert response.status_code == 200
    assert 'name="guardrail_confirmed" value="yes"' in response.content.decode()
    assert Report.objects.count() == 0


def test_the_lists_reach_the_page_as_data_not_script(client, profile):
    html = client.get(URL).content.decode()
    found = re.search(r'id="guardrail-reminder"[^>]* data-lists="([^"]*)"', html)
    lists = json.loads(htmllib.unescape(found.group(1)))
    assert "muslim*" in lists["protected"]["en"]
    assert "拍摄" in lists["behaviour"]["zh-hans"]
    assert '<script src="/static/tipline/guardrail.js" defer>' in html
    assert foreign_scripts(html) == []


def test_what_belongs_elsewhere_comes_first(client, profile):
    for url in (URL, "/report/online-approach/", "/report/"):
        html = client.get(url).content.decode()
        assert "Not for this form: where to go instead" in html
        assert "Lost or stolen passports" in html
        assert "Call 112" in html
        if url != "/report/":
            assert html.index('id="elsewhere"') < html.index('id="report-form"')


def test_the_api_answers_a_hit_with_the_reminder_until_confirmed(client, owner):
    tokens = client.get("/api/v1/tokens").json()
    answers = json.dumps({"what_happened": ONLY_WHO})
    body = {"category": "approach", "token": tokens["report"], "answers": answers}
    response = client.post("/api/v1/reports", body)
    assert response.status_code == 409
    assert REMINDER in response.json()["errors"]["guardrail"][0]
    assert Report.objects.count() == 0
    bad = client.post("/api/v1/reports", {**body, "guardrail_confirmed": "perhaps"})
    assert bad.status_code == 400
    sent = client.post("/api/v1/reports", {**body, "guardrail_confirmed": "true"})
    assert sent.status_code == 201
    assert Report.objects.count() == 1
