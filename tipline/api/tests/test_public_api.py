"""The public API for apps, through HTTP like an app would call it."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tipline.cases.models import Attachment, Message, Report
from tipline.intake.tests.samples import gps_jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def app():
    """An app client: no cookies carried, CSRF enforced like a browser's would be."""
    return Client(enforce_csrf_checks=True)


def tokens(app):
    return app.get("/api/v1/tokens").json()


def send_report(app, answers, files=(), category="approach", token=None, **headers):
    return app.post(
        "/api/v1/reports",
        {
            "category": category,
            "token": token or tokens(app)["report"],
            "answers": json.dumps(answers),
            "files": list(files),
        },
        headers=headers,
    )


def test_profile_lists_categories_and_questions_in_the_asked_language(app, profile):
    english = app.get("/api/v1/profile").json()
    chinese = app.get("/api/v1/profile", headers={"accept-language": "zh-Hans"}).json()

    assert english["originals_default"] is False
    approach = english["categories"][0]
    assert approach["slug"] == "approach"
    assert approach["questions"][0] == {
        **approach["questions"][0],
        "name": "what_happened",
        "type": "textarea",
        "required": True,
        "max_length": 20000,
    }
    assert chinese["categories"][0]["title"] == "可疑接触或拉拢招募"


def test_report_with_a_photo_is_stored_and_scrubbed(app, owner):
    photo = SimpleUploadedFile("p.jpg", gps_jpeg(), content_type="image/jpeg")

    response = send_report(app, {"what_happened": "Loitering at the depot"}, [photo])

    assert response.status_code == 201
    body = response.json()
    assert len(body["receipt"].replace(" ", "")) == 28
    assert body["created"] is True
    assert body["files"][0]["name"] == "p.jpg"
    assert "GPS location" in body["files"][0]["removed"]
    assert Report.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_resending_with_the_same_token_returns_the_first_receipt(app, owner):
    token = tokens(app)["report"]
    first = send_report(app, {"what_happened": "x"}, token=token)
    second = send_report(app, {"what_happened": "x"}, token=token)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["receipt"] == first.json()["receipt"]
    assert second.json()["created"] is False
    assert Report.objects.count() == 1


def test_invalid_answers_get_field_errors_in_the_asked_language(app, owner):
    response = send_report(app, {"what_happened": ""}, **{"accept-language": "zh-Hans"})

    assert response.status_code == 400
    assert response.json() == {"errors": {"what_happened": ["这个字段是必填项。"]}}
    assert Report.objects.count() == 0


def test_answers_must_be_a_json_object(app, owner):
    response = app.post(
        "/api/v1/reports",
        {"category": "approach", "token": tokens(app)["report"], "answers": "[1, 2"},
    )
    assert response.status_code == 400
    assert response.json()["errors"]["answers"] == [
        "Send the answers as a JSON object."
    ]


def test_forged_token_is_refused(app, owner):
    response = send_report(app, {"what_happened": "x"}, token="forged:token")
    assert response.status_code == 400
    assert response.json()["errors"]["token"] == [
        "This token is not valid or has expired."
    ]
    assert Report.objects.count() == 0


def test_unknown_category_is_404(app, owner):
    assert send_report(app, {"what_happened": "x"}, category="nope").status_code == 404


def test_bad_file_is_named_with_its_problem_and_nothing_is_stored(app, owner):
    broken = SimpleUploadedFile("b.jpg", gps_jpeg()[:200], content_type="image/jpeg")

    response = send_report(app, {"what_happened": "x"}, [broken])

    assert response.status_code == 400
    assert response.json()["errors"]["files"][0].startswith("b.jpg: ")
    assert Report.objects.count() == 0


def test_follow_up_reads_the_report_and_sends_a_message_with_a_file(app, owner):
    receipt = send_report(app, {"what_happened": "Van outside at 3am"}).json()[
        "receipt"
    ]

    report = app.post(
        "/api/v1/followup", {"receipt": receipt}, content_type="application/json"
    )
    assert report.status_code == 200
    assert report.json()["answers"][0] == {
        "label": "What happened?",
        "value": "Van outside at 3am",
        "choices": [],
    }
    assert report.json()["status"] == "Received. It has not been read yet."

    photo = SimpleUploadedFile("van.jpg", gps_jpeg(), content_type="image/jpeg")
    data = {
        "receipt": receipt,
        "token": tokens(app)["message"],
        "body": "Plate K-77",
        "files": [photo],
    }
    sent = app.post("/api/v1/followup/messages", data)
    again = app.post("/api/v1/followup/messages", data)

    assert sent.status_code == 201
    assert again.status_code == 200
    assert Message.objects.count() == 1
    messages = app.post(
        "/api/v1/followup", {"receipt": receipt}, content_type="application/json"
    ).json()["messages"]
    assert messages[0]["sender"] == "you"
    assert messages[0]["body"] == "Plate K-77"
    assert messages[0]["files"] == [{"name": "van.jpg"}]


def test_wrong_receipt_gets_the_generic_error(app, owner):
    response = app.post(
        "/api/v1/followup", {"receipt": "1234" * 7}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["receipt"][0].startswith(
        "We could not open a report"
    )


def test_openapi_schema_is_served_and_no_third_party_docs_page(app, profile):
    schema = app.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/reports" in schema.json()["paths"]
    assert app.get("/api/v1/docs").status_code == 404
