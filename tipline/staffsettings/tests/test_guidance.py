"""Settings > Guidance pages (issue 15, point 1): administrators edit each page's
title and Markdown text in both languages, preview without saving and restore
the default; every save is audited; hostile Markdown never reaches a public page
as active content; nobody else can open the editor."""

import re

import pytest
from django.test import Client

from testkit.helpers import foreign_scripts, make_staff, post_form
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.lib.markdown import MAX_SOURCE_CHARS
from tipline.profiles.loader import load_profile
from tipline.profiles.models import GuidancePage

pytestmark = pytest.mark.django_db

LIST = "/staff/settings/guidance/"
EDIT = "/staff/settings/guidance/staying-safe/"
PREVIEW = EDIT + "preview/"
RESTORE = EDIT + "restore/"
TEXTS = {
    "title_en": "Keeping safe",
    "title_zh-hans": "保护好自己",
    "body_en": "## Before you start\n\nUse **your own phone**.",
    "body_zh-hans": "## 开始之前\n\n请使用**您自己的手机**。",
}


def page():
    return GuidancePage.objects.get(
        profile__slug="national-security", slug="staying-safe"
    )


def guidance_events():
    return AuditEvent.objects.filter(action__startswith="settings.guidance")


@pytest.fixture
def admin(profile):
    return make_staff("admin", "triage", role=Role.ADMINISTRATOR)


@pytest.fixture
def admin_client(admin, signed_in):
    return signed_in(admin)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SUPERVISOR, Role.FINANCE])
def test_nobody_but_administrators_opens_or_changes_guidance(profile, signed_in, role):
    client = signed_in(make_staff("someone", "triage", role=role))
    before = page().body

    for path in (LIST, EDIT):
        assert client.get(path).status_code == 404
    response = post_form(client, "/staff/", EDIT, TEXTS)
    assert response.status_code == 404
    assert client.post(RESTORE).status_code == 403  # no CSRF token to be had

    assert page().body == before
    assert guidance_events().count() == 0


def test_someone_not_signed_in_is_sent_to_sign_in(profile):
    response = Client(enforce_csrf_checks=True).get(EDIT)

    assert response.status_code == 302
    assert response.url == f"/staff/login/?next={EDIT}"


def test_hostile_markdown_is_saved_but_published_inert(admin_client, client):
    hostile = {
        **TEXTS,
        "body_en": (
            "<script>alert(1)</script>\n\n[tap here](javascript:alert(1)) "
            '<img src="https://tracker.example/p.png"> '
            "![pixel](https://tracker.example/q.png) "
            '[ok](https://example.org) <a href="javascript:x" onclick="y">raw</a>'
        ),
    }

    response = post_form(admin_client, EDIT, EDIT, hostile)

    assert response.status_code == 302
    html = client.get("/staying-safe/").content.decode()
    # What survives does so as text, never as a tag, a link or an attribute.
    assert foreign_scripts(html) == []
    assert "<img" not in html
    assert not re.search(r"<a[^<>]*javascript", html)
    assert not re.search(r"<[a-z][^<>]*\son[a-z]+=", html)
    assert not re.search(r"<[a-z][^<>]*(src|href)=\"https://tracker", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in html


def test_an_oversized_text_is_refused_and_nothing_typed_is_lost(admin_client):
    before = page().body
    long_body = "x" * (MAX_SOURCE_CHARS + 1)

    response = post_form(admin_client, EDIT, EDIT, {**TEXTS, "body_zh-hans": long_body})

    assert response.status_code == 400
    html = response.content.decode()
    assert "This text is too long: at most 40,000 characters." in html
    assert long_body in html
    assert TEXTS["body_en"].split("\n")[0] in html
    assert page().body == before
    assert guidance_events().count() == 0


@pytest.mark.parametrize(
    "field", ["title_en", "title_zh-hans", "body_en", "body_zh-hans"]
)
def test_each_language_is_required(admin_client, field):
    before = page().title, page().body

    response = post_form(admin_client, EDIT, EDIT, {**TEXTS, field: "   "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert (page().title, page().body) == before
    assert guidance_events().count() == 0


def test_a_missing_field_and_a_null_character_are_refused(admin_client):
    incomplete = {key: value for key, value in TEXTS.items() if key != "title_en"}
    assert post_form(admin_client, EDIT, EDIT, incomplete).status_code == 400
    nul = {**TEXTS, "body_en": "before\x00after"}
    response = post_form(admin_client, EDIT, EDIT, nul)

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert guidance_events().count() == 0


def test_an_unknown_page_is_a_404(admin_client):
    assert admin_client.get("/staff/settings/guidance/gossip/").status_code == 404


def test_preview_shows_the_text_and_saves_nothing(admin_client, client):
    before = page().body

    response = post_form(admin_client, EDIT, PREVIEW, TEXTS)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview (not saved yet)" in html
    assert "<h2>Before you start</h2>" in html
    assert "<strong>您自己的手机</strong>" in html
    assert "## Before you start" in html  # still in the form, to go on editing
    assert page().body == before
    assert page().edited is False
    assert guidance_events().count() == 0
    assert "Before you start" not in client.get("/staying-safe/").content.decode()


def test_administrators_edit_a_page_and_the_public_sees_it_audited(
    admin, admin_client, client
):
    listing = admin_client.get(LIST).content.decode()
    assert 'href="/staff/settings/guidance/what-happens-next/"' in listing
    assert "Default text" in listing

    response = post_form(admin_client, EDIT, EDIT, TEXTS)

    assert response.status_code == 302
    assert response.url == EDIT
    saved = page()
    assert saved.title == {"en": "Keeping safe", "zh-hans": "保护好自己"}
    assert saved.body["zh-hans"] == TEXTS["body_zh-hans"]
    assert saved.edited is True
    event = guidance_events().get()
    assert event.action == "settings.guidance"
    assert event.actor_id == admin.pk
    assert event.target == "guidance:national-security/staying-safe"
    assert event.detail == {
        "changed": ["title.en", "title.zh-hans", "body.en", "body.zh-hans"]
    }
    public = client.get("/staying-safe/").content.decode()
    assert "<h1>Keeping safe</h1>" in public
    assert "<strong>your own phone</strong>" in public
    chinese = client.get("/staying-safe/", headers={"accept-language": "zh-Hans"})
    assert "<strong>您自己的手机</strong>" in chinese.content.decode()
    assert "Guidance page saved." in admin_client.get(EDIT).content.decode()

    again = post_form(admin_client, EDIT, EDIT, TEXTS)
    assert again.status_code == 302
    assert guidance_events().count() == 1  # nothing changed, nothing recorded

    load_profile("national-security")
    assert page().body["en"] == TEXTS["body_en"]


def test_restoring_the_default_brings_back_the_shipped_text(admin, admin_client):
    post_form(admin_client, EDIT, EDIT, TEXTS)

    response = post_form(admin_client, EDIT, RESTORE, {})

    assert response.status_code == 302
    restored = page()
    assert restored.edited is False
    assert restored.title["en"] == "Staying safe"
    assert "Tor Browser" in restored.body["en"]
    event = guidance_events().latest("pk")
    assert event.action == "settings.guidance_restored"
    assert event.actor_id == admin.pk
    assert "The default text is back" in admin_client.get(EDIT).content.decode()
