"""Malformed requests to the API get JSON answers, never an HTML page or a 500,
and store nothing (issue 12, point 8)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tipline.api.tests.test_public_api import tokens
from tipline.cases.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(profile, owner):
    return Client(enforce_csrf_checks=True)


def assert_json_problem(response, status, message):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"errors": {"__all__": [message]}}
    assert Report.objects.count() == 0


def report_fields(app, answers):
    return {"category": "approach", "token": tokens(app)["report"], "answers": answers}


@pytest.mark.parametrize(
    "answers",
    [
        '{"what_happened": "a stranger \\ud800 asked"}',
        '{"what_happened": "\\udfff"}',
        '{"what_happened": ["\\ud83d"]}',
        '{"\\ud800": "a key that is no text"}',
    ],
)
def test_a_lone_surrogate_in_the_answers_is_refused(app, answers):
    response = app.post("/api/v1/reports", report_fields(app, answers))

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "answers": [
                "The answers hold text that is not valid Unicode (a lone "
                "surrogate escape)."
            ]
        }
    }
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "answers",
    ["[" * 100_000, '{"a":' * 100_000, '{"a": ' + "[" * 50_000 + "]" * 50_000 + "}"],
)
def test_deeply_nested_answers_are_refused(app, answers):
    response = app.post("/api/v1/reports", report_fields(app, answers))

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"answers": ["Send the answers as a JSON object."]}
    }
    assert Report.objects.count() == 0


def test_a_deeply_nested_json_body_is_a_json_error(app):
    response = app.post(
        "/api/v1/followup", "[" * 100_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_too_many_files_is_a_json_error(app, settings):
    files = [SimpleUploadedFile(f"n{i}.txt", b"x") for i in range(101)]
    fields = report_fields(app, json.dumps({"what_happened": "many files"}))

    response = app.post("/api/v1/reports", {**fields, "files": files})

    assert_json_problem(response, 400, "Too many files in one request.")


def test_too_many_fields_is_a_json_error(app):
    fields = {f"field{i}": "x" for i in range(1_001)}

    response = app.post("/api/v1/followup/messages", fields)

    assert_json_problem(response, 400, "Too many fields in one request.")


def test_a_body_over_the_limit_is_a_json_error(app):
    fields = report_fields(app, json.dumps({"what_happened": "x" * 1_100_000}))

    response = app.post("/api/v1/reports", fields)

    assert_json_problem(
        response, 413, "The request is larger than this service accepts."
    )


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=", b"--\r\n"),
        ("multipart/form-data; boundary=" + "b" * 300, b"--b\r\n"),
    ],
)
def test_bad_multipart_is_a_json_error(app, content_type, body):
    response = app.generic("POST", "/api/v1/reports", body, content_type=content_type)

    assert_json_problem(
        response, 400, "The request body is not valid multipart form data."
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/nope"), ("post", "/api/v1/reports/x"), ("get", "/api/v1/a/b/")],
)
def test_an_unknown_endpoint_is_a_json_404(app, method, path):
    response = getattr(app, method)(path)

    assert_json_problem(response, 404, "There is no such API endpoint.")


def test_the_real_endpoints_still_answer(app):
    assert app.get("/api/v1/profile").status_code == 200
    assert app.get("/api/v1/openapi.json").status_code == 200
