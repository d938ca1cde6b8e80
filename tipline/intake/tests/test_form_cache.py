"""The report form rendered once per category, language and flood state, with a
new CSRF token, form token and CSRF cookie for every visitor
(tipline.lib.pagecache, issue 15 "Speed")."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from testkit.helpers import CSRF_RE, TOKEN_RE, form_tokens
from tipline.cases.models import Report
from tipline.intake import flood
from tipline.intake.services import REPORT_FORM
from tipline.lib.tokens import read_form_token

pytestmark = pytest.mark.django_db

FORM = "/report/approach/"
ANSWERS = {"what_happened": "A stranger asked about the lab's shift rota."}


def visit(client: Client, path: str = FORM):
    """A GET, its tokens and the number of database queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    html = response.content.decode()
    return response, html, len(queries)


def without_tokens(html: str) -> str:
    html = CSRF_RE.sub('name="csrfmiddlewaretoken" value="CSRF"', html)
    return TOKEN_RE.sub('name="token" value="TOKEN"', html)


def test_two_visitors_never_share_a_token_or_cookie(profile):
    first, first_html, _ = visit(Client())

    second, second_html, queries = visit(Client())

    assert queries == 0  # served from the cache
    assert form_tokens(first_html) != form_tokens(second_html)
    assert form_tokens(first_html)["token"] != form_tokens(second_html)["token"]
    first_cookie = first.cookies["csrftoken"]
    second_cookie = second.cookies["csrftoken"]
    assert first_cookie.value != second_cookie.value
    assert second_cookie["httponly"] is True
    assert second_cookie["samesite"] == "Lax"
    assert set(second.cookies) == {"csrftoken"}
    # Each form token is genuine, and each page holds exactly one of each.
    read_form_token(form_tokens(second_html)["token"], REPORT_FORM)
    assert len(CSRF_RE.findall(second_html)) == 1
    assert len(TOKEN_RE.findall(second_html)) == 1


def test_a_stored_form_is_the_normal_render_but_for_its_tokens(profile, settings):
    settings.PAGE_CACHE_SECONDS = 0
    _, normal, _ = visit(Client())
    settings.PAGE_CACHE_SECONDS = 30
    visit(Client())

    served, html, queries = visit(Client())

    assert queries == 0
    assert without_tokens(html) == without_tokens(normal)
    assert html != normal
    assert served["Content-Length"] == str(len(served.content))


def test_a_visitor_keeps_the_csrf_cookie_they_have(profile):
    visit(Client())
    client = Client(enforce_csrf_checks=True)
    client.get("/report/")  # no token on this page, and no cookie either
    visit(client)  # the form gives the cookie
    cookie = client.cookies["csrftoken"].value

    again, html, queries = visit(client)

    assert queries == 0
    assert again.cookies["csrftoken"].value == cookie
    response = client.post(FORM, {**form_tokens(html), **ANSWERS})
    assert response.status_code == 303


def test_a_report_sent_from_a_stored_form_arrives(browser_client, profile):
    visit(Client())  # stored by another visitor
    _, html, queries = visit(browser_client)

    response = browser_client.post(FORM, {**form_tokens(html), **ANSWERS}, follow=False)

    assert queries == 0
    assert response.status_code == 303
    assert response["Location"] == "/receipt/"
    receipt = browser_client.get("/receipt/").content.decode()
    assert 'id="receipt"' in receipt
    assert Report.objects.count() == 1


def test_a_stored_forms_token_sent_twice_stores_one_report(browser_client, profile):
    visit(Client())
    _, html, _ = visit(browser_client)
    data = {**form_tokens(html), **ANSWERS}

    browser_client.post(FORM, data)
    browser_client.post(FORM, data)

    assert Report.objects.count() == 1


def test_under_a_flood_the_form_asks_for_the_proof_of_work(profile, settings):
    settings.FLOOD_REPORTS_PER_MINUTE = 1
    _, calm, _ = visit(Client())
    visit(Client())

    flood.record_report()
    flood.record_report()
    _, flooded, _ = visit(Client())
    _, again, queries = visit(Client())

    assert "data-proof-bits" not in calm
    assert f'data-proof-bits="{settings.PROOF_OF_WORK_BITS}"' in flooded
    assert f'data-proof-bits="{settings.PROOF_OF_WORK_BITS}"' in again
    assert queries == 0


def test_a_language_change_keeps_the_draft_on_a_stored_form(browser_client, profile):
    visit(Client())
    _, html, _ = visit(browser_client)

    response = browser_client.post(
        "/language/keep/",
        {
            **form_tokens(html),
            **ANSWERS,
            "language": "zh-hans",
            "next": FORM,
            "draft_of": "report-form",
        },
        follow=True,
    )

    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert ANSWERS["what_happened"].replace("'", "&#x27;") in page
    # The draft's page took the normal path: its cookie is gone afterwards.
    assert browser_client.cookies["tl_draft"].value == ""


def test_an_error_re_render_keeps_what_was_typed(browser_client, profile):
    visit(Client())
    _, html, _ = visit(browser_client)

    response = browser_client.post(FORM, {**form_tokens(html), "where": "Gate B"})

    assert response.status_code == 400
    assert 'value="Gate B"' in response.content.decode()
    assert Report.objects.count() == 0


def test_the_verify_page_gets_a_csrf_token_of_its_own(profile):
    _, first, _ = visit(Client(), "/verify/")

    second, html, queries = visit(Client(), "/verify/")

    assert queries == 0
    assert CSRF_RE.findall(first) != CSRF_RE.findall(html)
    assert "csrftoken" in second.cookies
    assert re.sub(CSRF_RE, "", first) == re.sub(CSRF_RE, "", html)
