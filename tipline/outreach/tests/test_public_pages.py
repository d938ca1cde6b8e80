import re
from html import unescape

import pytest

from testkit.helpers import form_tokens
from tipline.cases.models import Report

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/report/",
    "/report/approach/",
    "/followup/",
    "/what-not-to-report/",
    "/statistics/",
]


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_load_nothing_from_other_origins(client, profile, page):
    response = client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    # The one address of another site is the quick exit's link, which loads
    # nothing (tipline/outreach/tests/test_site_brand.py).
    html = html.replace('href="https://www.wikipedia.org/" rel="noreferrer"', "")
    assert "http://" not in html
    assert "https://" not in html
    # Scripts only from this site's static files, and only to enhance (the
    # report form's guardrail and conditional questions, the quick exit: issue 15).
    for script in re.findall(r"<script[^>]*>.*?</script>", html, re.S):
        assert re.fullmatch(
            r'<script src="/static/tipline/[\w-]+\.js" defer></script>', script
        ), script
    assert "style=" not in html
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"


def test_browser_asking_for_chinese_gets_chinese(client, profile):
    response = client.get("/report/", headers={"accept-language": "zh-CN,zh;q=0.9"})

    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "您想报告什么情况" in html
    assert "可疑接触或拉拢招募" in html


def test_language_switcher_works_without_javascript(browser_client, profile):
    # A page served alike to every visitor switches with a plain link (no token).
    html = browser_client.get("/report/").content.decode()
    link = re.search(r'<a href="([^"]+)" lang="zh-hans" hreflang="zh-hans">', html)
    assert link is not None
    response = browser_client.get(unescape(link.group(1)), follow=False)

    assert response.status_code == 303
    assert response["Location"] == "/report/"
    page = browser_client.get("/report/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "可疑接触或拉拢招募" in page


def test_form_errors_come_in_chinese(submit_report, owner):
    response = submit_report(
        {"what_happened": ""}, headers={"accept-language": "zh-Hans"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "这个字段是必填项。" in html
    assert "发生了什么？" in html
    assert Report.objects.count() == 0


def test_wrong_receipt_message_comes_in_chinese(browser_client, profile):
    html = browser_client.get("/followup/").content.decode()
    response = browser_client.post(
        "/followup/",
        {**form_tokens(html), "receipt": "1234" * 7},
        headers={"accept-language": "zh-Hans"},
    )

    assert response.status_code == 400
    assert "回执码" in response.content.decode()


def test_guidance_page_lists_what_is_not_suspicious(client, profile):
    html = client.get("/what-not-to-report/").content.decode()
    assert "religion, ethnicity, nationality" in html
    assert "lawful protests" in html


def test_unknown_page_is_a_friendly_404(client, profile):
    response = client.get("/nope/")
    assert response.status_code == 404
    assert "There is no page at this address." in response.content.decode()


def test_client_address_and_agent_never_reach_the_view(rf):
    from tipline.lib.middleware import PrivacyMiddleware

    seen = {}

    def view(request):
        seen.update(request.META)
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = rf.get(
        "/",
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_USER_AGENT="Marker/1.0",
        HTTP_REFERER="https://intranet.example/",
    )
    PrivacyMiddleware(view)(request)

    assert "REMOTE_ADDR" not in seen
    assert "HTTP_X_FORWARDED_FOR" not in seen
    assert "HTTP_USER_AGENT" not in seen
    assert "HTTP_REFERER" not in seen


def test_a_page_view_loses_its_referer_but_a_form_post_keeps_it(rf):
    from django.http import HttpResponse

    from tipline.lib.middleware import PrivacyMiddleware

    seen = {}

    def view(request):
        seen[request.method] = request.META.get("HTTP_REFERER")
        return HttpResponse("ok")

    middleware = PrivacyMiddleware(view)
    middleware(rf.get("/", HTTP_REFERER="https://intranet.example/whistle"))
    middleware(rf.post("/report/x/", HTTP_REFERER="https://tips.example/report/x/"))

    assert seen == {"GET": None, "POST": "https://tips.example/report/x/"}


@pytest.mark.parametrize("page", [*PUBLIC_PAGES, "/api/v1/profile"])
def test_every_public_page_carries_the_strict_headers_over_https(
    client, profile, settings, page
):
    # As in production (TIPLINE_HTTPS=True), behind a proxy that terminated TLS.
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True

    response = client.get(page, secure=True)

    assert response.status_code == 200
    headers = response.headers
    assert headers["Strict-Transport-Security"] == (
        "max-age=63072000; includeSubDomains"
    )
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null"
    # on form posts, which fails Django's CSRF check (docs/security.md).
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in headers["Permissions-Policy"]
    assert headers["Cache-Control"] == "no-store"
    for cookie in response.cookies.values():
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


def test_no_hsts_over_plain_http_on_loopback(client, profile):
    assert "Strict-Transport-Security" not in client.get("/").headers
