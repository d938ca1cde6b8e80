"""Every public page carries the quick exit, the emergency line and the brand,
and staff pages carry no quick exit (issue 15, points 4 and 9)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from testkit import public_pages as walk
from testkit.helpers import make_staff, staff_login
from tipline.accounts.models import Role
from tipline.lib.pagecache import forget_pages
from tipline.profiles.models import Site
from tipline.profiles.selectors import current_site

pytestmark = pytest.mark.django_db


def public_pages(client) -> list[str]:
    """Every public page, from the one walk of the URLconf (testkit/public_pages)."""
    return walk.public_pages(lambda path: client.get(path).content.decode())


def first_links(html: str, count: int) -> list[str]:
    body = html.split("<body>", 1)[1]
    return re.findall(r"<(?:a|button|input|select|textarea)\b[^>]*>", body)[:count]


def test_the_quick_exit_is_on_every_public_page_as_the_second_tab_stop(client, profile):
    Site.objects.create(pk=1, quick_exit_url="https://www.bbc.com/weather")
    pages = public_pages(client)
    assert len(pages) >= 15
    seen = 0
    for page in [*pages, "/no-such-page/"]:
        response = client.get(page)
        if response.status_code in (302, 303, 405):
            continue  # not a page on its own (a redirect, a form's target)
        seen += 1
        html = response.content.decode()
        where = f"{page} ({response.status_code})"
        skip, leave = first_links(html, 2)
        assert 'class="skip"' in skip, where
        assert leave == (
            '<a class="quick-exit" id="quick-exit" '
            'href="https://www.bbc.com/weather" rel="noreferrer">'
        ), where
        assert "Leave this site quickly" in html, where
        assert '<script src="/static/tipline/quick-exit.js" defer>' in html, where
        assert 'id="emergency"' in html, where
        assert 'href="/verify-this-site/"' in html, where
    assert seen >= 10


def test_staff_pages_have_no_quick_exit(profile):
    client = staff_login_client(make_staff("root", "admins", role=Role.ADMINISTRATOR))
    for page in ("/staff/", "/staff/settings/site/", "/staff/login/"):
        html = client.get(page).content.decode()
        assert "quick-exit" not in html, page
        assert 'id="emergency"' not in html, page


def staff_login_client(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


def test_the_emergency_line_dials_its_number_and_escapes_the_rest(client, profile):
    default = client.get("/").content.decode()
    assert 'If someone is in danger now, call <a href="tel:112">112</a>.' in default

    Site.objects.create(
        pk=1,
        emergency={
            "en": "<b>Danger?</b> Call +44 20 7946 0000 or 999.",
            "zh-hans": "有危险？请拨打 110。",
        },
        updated_at=timezone.now(),
    )
    forget_pages()  # as the Site settings' services do (tipline.lib.pagecache)
    html = client.get("/").content.decode()
    assert (
        "&lt;b&gt;Danger?&lt;/b&gt; Call "
        '<a href="tel:+442079460000">+44 20 7946 0000</a> or <a href="tel:999">999</a>.'
    ) in html
    assert "<b>Danger" not in html
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '有危险？请拨打 <a href="tel:110">110</a>。' in chinese


def test_the_header_names_the_organisation_or_the_profile(client, profile):
    html = client.get("/").content.decode()
    assert "<img" not in html.split('class="brand"', 1)[1].split("</a>", 1)[0]
    assert re.search(r'class="brand" href="/"><span>[^<]+</span></a>', html)
    Site.objects.create(
        pk=1,
        organisation_name={
            "en": "National Protective Service",
            "zh-hans": "国家保护局",
        },
        contact={"en": "Press: [write to us](mailto:press@example.org)"},
        web_address="https://report.example.org/",
        updated_at=timezone.now(),
    )
    forget_pages()
    html = client.get("/").content.decode()
    assert "<span>National Protective Service</span>" in html
    assert "· National Protective Service</title>" in html
    assert '<a href="mailto:press@example.org" rel="noopener noreferrer">write' in html
    assert '<strong class="address">https://report.example.org/</strong>' in html


def test_brand_css_and_logo_are_cached_by_version_and_etag(client, profile):
    site = Site.objects.create(
        pk=1,
        colour_primary="#1d4e2c",
        colour_header="#f5f5f0",
        updated_at=timezone.now(),
    )
    html = client.get("/").content.decode()
    link = re.search(r'<link rel="stylesheet" href="(/site/brand.css\?v=\d+)">', html)
    assert link is not None

    response = client.get(link.group(1))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response.content.decode() == (
        "/* Brand colours: Settings > Site. */\n"
        ":root { --accent: #1d4e2c; --header-bg: #f5f5f0; }\n"
    )
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get("/site/brand.css", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, no-cache"
    # A saved change moves the version: the pages link to a new address.
    Site.objects.filter(pk=1).update(
        colour_primary="#6b1d1d", updated_at=site.updated_at + timedelta(seconds=1)
    )
    forget_pages()
    moved = client.get("/").content.decode()
    assert link.group(1) not in moved
    changed = client.get("/site/brand.css", HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200
    assert "--accent: #6b1d1d;" in changed.content.decode()


def test_a_change_saved_by_another_process_shows_on_the_next_page(
    client, profile, django_assert_num_queries
):
    Site.objects.create(
        pk=1, organisation_name={"en": "First"}, updated_at=timezone.now()
    )
    assert current_site().organisation_name == {"en": "First"}
    with django_assert_num_queries(1):
        assert current_site().organisation_name == {"en": "First"}
    # As another process saves it: this process's copy is not told.
    Site.objects.filter(pk=1).update(
        organisation_name={"en": "Second"},
        updated_at=timezone.now() + timedelta(seconds=1),
    )
    assert "<span>Second</span>" in client.get("/").content.decode()


def test_a_hostile_colour_in_the_database_never_reaches_the_stylesheet(client, profile):
    Site.objects.create(
        pk=1, colour_primary="red;}", colour_header="#fff}*", updated_at=timezone.now()
    )
    css = client.get("/site/brand.css").content.decode()
    assert css.endswith(":root { --accent: #0b4f8a; --header-bg: #ffffff; }\n")


def test_a_hostile_quick_exit_in_the_database_never_reaches_the_link(client, profile):
    Site.objects.create(
        pk=1,
        quick_exit_url="javascript:alert(document.cookie)",
        updated_at=timezone.now(),
    )
    html = client.get("/").content.decode()
    assert "javascript:" not in html
    assert 'href="https://www.wikipedia.org/" rel="noreferrer"' in html
