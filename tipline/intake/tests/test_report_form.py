import json
import time

import pytest

from testkit.helpers import PASSWORD, form_tokens, receipt_in
from tipline.accounts.services import unlock_private_key
from tipline.audit.models import AuditEvent
from tipline.cases import workspace
from tipline.cases.models import Case, Report

pytestmark = pytest.mark.django_db

VALID = {"what_happened": "A stranger offered money for floor plans of the lab."}


def decrypt_for(user, case):
    private = unlock_private_key(user=user, password=PASSWORD)
    return workspace.read_workspace(
        case=case, user=user, private_key=private
    ).plain.answers


def test_it_lists_the_categories_of_the_active_profile(client, profile):
    response = client.get("/report/")
    assert response.status_code == 200
    assert "Suspicious approach or recruitment attempt" in response.content.decode()
    assert 'href="/report/cyber/"' in response.content.decode()


def test_unknown_category_is_404(client, profile):
    response = client.get("/report/no-such-thing/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_form_shows_questions_with_help_and_required_marks(client, profile):
    html = client.get("/report/approach/").content.decode()
    assert 'name="what_happened"' in html
    assert "Do not describe their ethnicity, religion, nationality or opinions" in html
    assert "(required)" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="token"' in html


def test_it_stores_an_encrypted_report_and_shows_a_receipt(submit_report, owner):
    response = submit_report(VALID)

    assert response.status_code == 200
    receipt = receipt_in(response.content.decode())
    groups = receipt.split(" ")
    assert [len(g) for g in groups] == [4] * 7
    report = Report.objects.get()
    case = Case.objects.get(report=report)
    assert VALID["what_happened"].encode() not in bytes(report.answers_encrypted)
    assert report.received_at.minute == 0
    assert report.received_at.second == 0
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions[-1] == "report.received"
    assert AuditEvent.objects.last().detail == {
        "category": "approach",
        "team": "triage",
        "files": 0,
    }
    answers = decrypt_for(owner, case)
    assert answers[0]["value"] == VALID["what_happened"]
    assert answers[0]["label"]["en"] == "What happened?"


def test_receipt_is_never_stored(submit_report, owner):
    receipt = receipt_in(submit_report(VALID).content.decode()).replace(" ", "")
    report = Report.objects.get()
    for value in Report.objects.values().get().values():
        raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value)
        assert receipt not in str(raw)
    assert receipt not in json.dumps(
        list(AuditEvent.objects.values("detail", "target"))
    )
    assert report.receipt_lookup != receipt


def test_missing_required_answer_keeps_what_was_typed(submit_report, owner):
    response = submit_report({"what_happened": "", "where": "Harbour road, gate 3"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "Harbour road, gate 3" in html
    assert Report.objects.count() == 0


def test_oversize_answer_is_refused_and_kept(submit_report, owner):
    response = submit_report({"what_happened": "x" * 20_001})

    assert response.status_code == 400
    assert "Ensure this value has at most 20000 characters (it has 20001)." in (
        response.content.decode()
    )
    assert Report.objects.count() == 0


def test_oversize_body_gets_a_friendly_page_and_stores_nothing(submit_report, owner):
    response = submit_report({"what_happened": "x", "where": "y" * 1_100_000})

    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert Report.objects.count() == 0


def test_double_submitted_form_makes_one_report_and_the_same_receipt(
    browser_client, owner
):
    html = browser_client.get("/report/approach/").content.decode()
    data = {**form_tokens(html), **VALID}

    first = browser_client.post("/report/approach/", data)
    second = browser_client.post("/report/approach/", data)

    assert first.status_code == second.status_code == 200
    assert receipt_in(first.content.decode()) == receipt_in(second.content.decode())
    assert "already received" in second.content.decode()
    assert Report.objects.count() == 1
    assert Case.objects.count() == 1


def test_forged_token_keeps_answers_and_a_retry_works(browser_client, owner):
    html = browser_client.get("/report/approach/").content.decode()
    data = {**form_tokens(html), **VALID, "where": "Dock 4"}
    data["token"] = data["token"][:-3] + "AAA"

    response = browser_client.post("/report/approach/", data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "could not be verified" in page
    assert "Dock 4" in page
    assert Report.objects.count() == 0
    retry = browser_client.post("/report/approach/", {**data, **form_tokens(page)})
    assert retry.status_code == 200
    assert Report.objects.count() == 1


def test_missing_token_keeps_answers_and_says_to_send_again(browser_client, owner):
    html = browser_client.get("/report/approach/").content.decode()
    tokens = form_tokens(html)
    del tokens["token"]

    response = browser_client.post("/report/approach/", {**tokens, **VALID})

    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert VALID["what_happened"] in response.content.decode()
    assert Report.objects.count() == 0


def test_expired_token_says_so_and_keeps_answers(browser_client, owner, monkeypatch):
    html = browser_client.get("/report/approach/").content.decode()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 25 * 3600)
    response = browser_client.post("/report/approach/", {**form_tokens(html), **VALID})

    assert response.status_code == 400
    assert "open for too long" in response.content.decode()
    assert VALID["what_happened"] in response.content.decode()
    assert Report.objects.count() == 0


def test_missing_csrf_token_gets_a_friendly_403(browser_client, owner):
    html = browser_client.get("/report/approach/").content.decode()
    tokens = form_tokens(html)
    del tokens["csrfmiddlewaretoken"]

    response = browser_client.post("/report/approach/", {**tokens, **VALID})

    assert response.status_code == 403
    assert "This form could not be accepted" in response.content.decode()
    assert "Nothing was stored." in response.content.decode()
    assert Report.objects.count() == 0


def test_non_utf8_bytes_get_a_clear_message(browser_client, owner):
    html = browser_client.get("/report/approach/").content.decode()
    tokens = form_tokens(html)
    body = (
        f"csrfmiddlewaretoken={tokens['csrfmiddlewaretoken']}&token={tokens['token']}"
        "&what_happened=caf%E9+%FF%FE"
    )
    response = browser_client.post(
        "/report/approach/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    [
        "😀" * 10_000,
        "שלום עולם، مرحبا بالعالم " * 400,
        "\u202eevil\u202c 混合文字 " * 500,
    ],
    ids=["emoji", "rtl", "bidi-override"],
)
def test_long_emoji_and_right_to_left_text_round_trip(submit_report, owner, text):
    response = submit_report({"what_happened": text})

    assert response.status_code == 200
    case = Case.objects.get()
    assert decrypt_for(owner, case)[0]["value"] == text.strip()


def test_choice_field_rejects_an_unknown_value(submit_report, owner):
    response = submit_report({**VALID, "how_known": "telepathy"})

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Report.objects.count() == 0


def test_invalid_date_is_explained(submit_report, owner):
    response = submit_report({**VALID, "when_date": "31/31/2026"})

    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_report_is_sealed_only_to_the_routed_team(
    submit_report, owner, colleague, outsider
):
    submit_report(VALID)

    case = Case.objects.get()
    readers = set(case.keys.values_list("user__username", flat=True))
    assert readers == {"owner", "colleague"}


def test_help_and_errors_are_tied_to_their_fields_for_screen_readers(
    submit_report, owner
):
    html = submit_report({"what_happened": ""}).content.decode()

    assert 'aria-describedby="id_what_happened_helptext id_what_happened_error"' in html
    assert 'id="id_what_happened_helptext"' in html
    assert 'id="id_what_happened_error"' in html
    assert 'aria-invalid="true"' in html
