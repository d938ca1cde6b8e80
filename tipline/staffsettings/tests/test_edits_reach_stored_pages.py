"""Public pages are stored for first-time visitors (tipline.lib.pagecache); an
administrator's edit of what they show appears on the very next GET, not when the
stored copy runs out (issue 15, "Speed")."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from testkit.helpers import form_tokens, make_staff, post_form, staff_login
from tipline.accounts.models import Role
from tipline.profiles.models import Bulletin

pytestmark = pytest.mark.django_db


def visit(path: str) -> tuple[str, int]:
    """A new visitor's GET: the page and how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def stored(path: str) -> str:
    """GET ``path`` twice as new visitors: the second comes from the cache."""
    visit(path)
    html, queries = visit(path)
    assert queries == 0
    return html


def test_a_site_name_change_shows_on_every_stored_page(signed_in, administrator):
    before = {path: stored(path) for path in ("/", "/help/", "/report/approach/")}
    admin = signed_in(administrator)

    response = post_form(
        admin,
        "/staff/settings/site/",
        "/staff/settings/site/identity/",
        {
            "organisation_name_en": "National Protective Service",
            "organisation_name_zh": "国家保护局",
            "emergency_en": "If someone is in danger now, call 999.",
            "emergency_zh": "如有人正处于危险之中，请立即拨打 999。",
            "contact_en": "",
            "contact_zh": "",
            "colour_primary": "#1D4E2C",
            "colour_header": "#ffffff",
            "quick_exit_url": "https://www.bbc.com/weather",
        },
    )

    assert response.status_code == 302
    for path, html in before.items():
        assert "National Protective Service" not in html
        after, _ = visit(path)
        assert "National Protective Service" in after, path
        assert "tel:999" in after, path


def test_a_guidance_edit_shows_on_the_next_get(signed_in, administrator):
    assert "Keeping safe" not in stored("/staying-safe/")
    admin = signed_in(administrator)

    post_form(
        admin,
        "/staff/settings/guidance/staying-safe/",
        "/staff/settings/guidance/staying-safe/",
        {
            "title_en": "Keeping safe",
            "title_zh-hans": "保护好自己",
            "body_en": "Use **your own phone**.",
            "body_zh-hans": "请使用**您自己的手机**。",
        },
    )

    after, _ = visit("/staying-safe/")
    assert "<h1>Keeping safe</h1>" in after


def test_a_bulletin_published_and_withdrawn_shows_on_the_next_get(profile):
    writer = Client(enforce_csrf_checks=True)
    staff_login(writer, make_staff("press", "press-office", role=Role.COMMUNICATIONS))
    html = writer.get("/staff/bulletins/new/").content.decode()
    writer.post(
        "/staff/bulletins/new/",
        {
            **form_tokens(html),
            "language": "en",
            "title": "Fake recruiters online",
            "slug": "fake-recruiters",
            "summary": "How to tell a real job offer from an approach.",
            "body": "Look out.",
            "category": "approach",
            "translation_of": "",
        },
    )
    edit = f"/staff/bulletins/{Bulletin.objects.get().pk}/"
    assert "Fake recruiters online" not in stored("/news/")

    post_form(writer, edit, f"{edit}publish/", {})
    published, _ = visit("/news/")
    stored("/news/")
    post_form(writer, edit, f"{edit}unpublish/", {})
    withdrawn, _ = visit("/news/")

    assert "Fake recruiters online" in published
    assert "Fake recruiters online" not in withdrawn
