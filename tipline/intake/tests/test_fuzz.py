"""Random and hostile input to the public endpoints: never a 500, never a stack
trace, never a partial report."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit.helpers import form_tokens
from tipline.cases.models import Case, Message
from tipline.intake.models import Attachment, Report

pytestmark = pytest.mark.django_db

# Derandomized: the same examples on every run, so CI is repeatable; the
# examples still cover control characters, huge values, unknown fields and keys.
FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# Any text a client can send: control characters, right-to-left marks, emoji,
# NUL, lone combining marks... (not lone surrogates, which cannot be encoded).
hostile_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    st.sampled_from(
        [
            "",
            "\x00",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "{{ settings.SECRET_KEY }}",
            "%(receipt)s",
            "\u202eevil",
            "A" * 25_000,
        ]
    ),
)
FIELDS = ["what_happened", "when", "where", "people", "vehicle", "token", "homepage"]
form_data = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.text(max_size=20)), hostile_text, max_size=8
)


def assert_safe(response):
    assert response.status_code < 500
    body = response.content.decode(errors="replace")
    assert "Traceback" not in body
    assert 'File "/' not in body


def assert_whole():
    """Every report has its case, every file its report: nothing half-stored."""
    assert Report.objects.count() == Case.objects.count()
    assert not Attachment.objects.filter(report__isnull=True).exists()


@pytest.fixture
def fuzz_client(profile, owner):
    client = Client()
    client.get("/report/approach/")  # the CSRF cookie
    return client


@FUZZ
@given(data=form_data, keep_token=st.booleans(), slug=st.sampled_from(
    ["approach", "surveillance", "nope", "..%2f..%2fadmin", "a" * 300]
))  # fmt: skip
def test_the_report_form_survives_anything(fuzz_client, data, keep_token, slug):
    html = fuzz_client.get("/report/approach/").content.decode()
    tokens = form_tokens(html)
    if keep_token:
        data = {**data, **tokens}
    else:
        data = {**data, "csrfmiddlewaretoken": tokens["csrfmiddlewaretoken"]}
    before = Report.objects.count()

    response = fuzz_client.post(f"/report/{slug}/", data)

    assert_safe(response)
    assert_whole()
    stored = Report.objects.count() - before
    # Only a stored report is answered with the redirect to its receipt page.
    assert stored == (1 if response.status_code == 303 else 0)


@FUZZ
@given(receipt=hostile_text, body=hostile_text, token=hostile_text)
def test_the_follow_up_endpoints_survive_anything(fuzz_client, receipt, body, token):
    html = fuzz_client.get("/followup/").content.decode()
    csrf = form_tokens(html)["csrfmiddlewaretoken"]
    messages = Message.objects.count()

    signin = fuzz_client.post(
        "/followup/", {"csrfmiddlewaretoken": csrf, "receipt": receipt}
    )
    message = fuzz_client.post(
        "/followup/message/",
        {"csrfmiddlewaretoken": csrf, "receipt": receipt, "body": body, "token": token},
    )

    assert_safe(signin)
    assert_safe(message)
    assert Message.objects.count() == messages


@FUZZ
@given(
    payload=st.one_of(
        st.binary(max_size=500),
        st.recursive(
            st.none() | st.booleans() | st.integers() | hostile_text,
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=10), inner, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda value: json.dumps(value).encode()),
    ),
    field=st.sampled_from(["answers", "category", "token", "receipt", "body"]),
)
def test_the_api_survives_anything(client, profile, owner, payload, field):
    before = Report.objects.count()
    for path in ("/api/v1/reports", "/api/v1/followup", "/api/v1/followup/messages"):
        as_json = client.post(path, payload, content_type="application/json")
        as_form = client.post(path, {field: payload.decode(errors="replace")})
        assert_safe(as_json)
        assert_safe(as_form)
    assert Report.objects.count() == before
    assert_whole()


def test_a_very_long_category_name_is_a_plain_404(client, profile):
    # Found by the fuzzer: the name went into a cache key longer than caches allow.
    response = client.get("/report/" + "a" * 300 + "/")

    assert response.status_code == 404
