"""Public pages rendered once and served alike to first-time visitors
(tipline.lib.pagecache, issue 15 "Speed"): nobody gets another visitor's token,
message or cookie, and an edit shows on the next GET."""

import re
from html import unescape

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path

from tipline.lib.pagecache import shared_page
from tipline.lib.tokens import new_form_token
from tipline.profiles.loader import PROFILE_DIR, load_profile

pytestmark = pytest.mark.django_db

# Pages without a form (the report form and /verify/ carry tokens: their own tests).
SHARED_PAGES = ["/", "/report/", "/what-not-to-report/", "/statistics/"]
HEADING = "Report something suspicious, safely"


def get(path: str, **extra):
    """A GET by a new visitor, and the number of database queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = Client(**extra).get(path)
    return response, len(queries)


def message_cookie(text: str) -> str:
    """A messages cookie as Django's cookie storage writes it after a redirect."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    return response.cookies[storage.cookie_name].value


def test_a_visitors_message_is_shown_to_them_and_never_stored(profile):
    flash = message_cookie("Only for this visitor")
    before, _ = get("/")  # stored
    client = Client()
    client.cookies["messages"] = flash

    theirs = client.get("/")
    after, queries = get("/")

    assert "Only for this visitor" in theirs.content.decode()
    assert "Only for this visitor" not in after.content.decode()
    assert after.content == before.content
    assert queries == 0  # served from the cache


def test_a_page_first_rendered_with_a_message_is_not_stored(profile):
    client = Client()
    client.cookies["messages"] = message_cookie("Only for this visitor")
    client.get("/")

    response, queries = get("/")

    assert "Only for this visitor" not in response.content.decode()
    assert queries > 0  # rendered afresh: nothing was stored for the first one


@pytest.mark.parametrize(
    "cookie", ["sessionid", "messages", "tl_draft", "tl_followup", "anything"]
)
def test_a_visitor_with_any_other_cookie_takes_the_normal_path(profile, cookie):
    get("/")
    client = Client()
    client.cookies[cookie] = "x" * 40

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert response.status_code == 200
    assert len(queries) > 0


@pytest.mark.parametrize("page", SHARED_PAGES)
def test_a_stored_page_is_the_same_page_without_any_cookie(profile, page):
    first, _ = get(page)

    second, queries = get(page)

    assert second.status_code == 200
    assert queries == 0
    assert second.cookies == {}
    assert "Set-Cookie" not in second.headers
    assert second.content == first.content
    assert "csrfmiddlewaretoken" not in second.content.decode()
    assert second["Content-Length"] == str(len(second.content))
    # The headers of the normal path are all there.
    assert second["Cache-Control"] == "no-store"
    assert second["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in second["Content-Security-Policy"]
    assert second["Content-Language"] == "en"


def test_only_gets_are_served_from_the_cache(profile):
    get("/")
    get("/statistics/")

    with CaptureQueriesContext(connection) as queries:
        head = Client().head("/")
    head_queries = len(queries)  # read before the next request empties the log
    post = Client().post("/statistics/")

    assert head.status_code == 200
    assert head_queries > 0
    assert post.status_code == 405


def test_a_host_not_allowed_is_refused_as_before(profile):
    get("/")

    response, _ = get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400


def test_each_language_has_its_own_copy(profile):
    english, _ = get("/")
    chinese, _ = get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    client = Client()
    client.cookies["django_language"] = "zh-hans"

    with CaptureQueriesContext(connection) as queries:
        chosen = client.get("/")
    chosen_queries = len(queries)
    english_again, _ = get("/")

    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert chosen.content == chinese.content
    assert chosen_queries == 0
    assert english_again.content == english.content


def test_each_query_string_has_its_own_copy(profile):
    get("/")

    response, queries = get("/?lang=zh")

    assert queries > 0
    assert "next=%2F%3Flang%3Dzh" in response.content.decode()


def test_a_reloaded_profile_shows_on_the_next_get(
    profile, tmp_path, django_capture_on_commit_callbacks
):
    edited = tmp_path / "edited.toml"
    text = (PROFILE_DIR / "national-security.toml").read_text(encoding="utf-8")
    edited.write_text(text.replace(HEADING, "Tell us, safely"), encoding="utf-8")
    before, _ = get("/")

    with django_capture_on_commit_callbacks(execute=True):
        load_profile(str(edited))
    after, _ = get("/")

    assert HEADING in before.content.decode()
    assert "Tell us, safely" in after.content.decode()
    assert HEADING not in after.content.decode()


def test_turned_off_every_page_takes_the_normal_path(profile, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get("/")

    _, queries = get("/")

    assert queries > 0


# --- The language links of shared pages --------------------------------------

HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
    "",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_language_link_never_leaves_the_site(client, profile, target):
    response = client.get("/language/zh-hans/", {"next": target})

    assert response.status_code == 303
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "zh-hans"
    assert "x" not in response.cookies


def test_a_language_link_cannot_write_a_header(client, profile):
    response = client.get("/language/zh-hans/", {"next": "/\r\nSet-Cookie: x=1"})

    assert response.status_code == 303
    assert response["Location"].startswith("/")
    assert "\n" not in response["Location"]
    assert "x" not in response.cookies


@pytest.mark.parametrize("code", ["xx", "de", "zh-hant", "en-gb-x"])
def test_a_language_link_to_an_unknown_language_changes_nothing(client, profile, code):
    response = client.get(f"/language/{code}/", {"next": "/report/"})

    assert response.status_code == 404
    assert "django_language" not in response.cookies


def test_a_language_link_is_a_get_only(client, profile):
    response = client.post("/language/zh-hans/", {"next": "/report/"})

    assert response.status_code == 405
    assert "django_language" not in response.cookies


def test_the_language_links_switch_and_come_back_without_javascript(profile):
    client = Client()
    html = client.get("/statistics/?year=2025").content.decode()
    link = re.search(r'<a href="([^"]+)" lang="zh-hans" hreflang="zh-hans">', html)
    assert link is not None

    response = client.get(unescape(link.group(1)))

    assert response.status_code == 303
    assert response["Location"] == "/statistics/?year=2025"
    chinese = client.get(response["Location"]).content.decode()
    assert '<html lang="zh-hans">' in chinese
    back = re.search(r'<a href="([^"]+)" lang="en" hreflang="en">English</a>', chinese)
    assert back is not None
    client.get(unescape(back.group(1)))
    assert '<html lang="en">' in client.get("/statistics/").content.decode()


# --- Pages that print per-visitor values in ways the cache does not know -----


@shared_page
def two_csrf_tokens(request):
    # Two calls, two masks of the same secret: only one can be cut out.
    return HttpResponse(
        f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">'
        f'<p data-token="{get_token(request)}">'
    )


@shared_page
def unnamed_form_token(request):
    return HttpResponse(f'<input name="token" value="{new_form_token("report")}">')


urlpatterns = [
    path("two-tokens/", two_csrf_tokens),
    path("unnamed-token/", unnamed_form_token),
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("page", ["/two-tokens/", "/unnamed-token/"])
def test_a_page_with_a_value_it_cannot_make_anew_is_never_stored(page):
    first = Client().get(page).content

    second = Client().get(page).content

    assert second != first
    found = re.findall(rb'"([^"]{40,})"', first)
    assert found
    assert not [value for value in found if value in second]
