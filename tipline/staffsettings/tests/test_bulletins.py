"""Settings > Bulletins through HTTP, as a browser without JavaScript posts it
(issue 15, point 5): who may write, preview without saving, publish, schedule,
unpublish, delete a draft, each change audited, and every refusal keeps what
was typed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from testkit.helpers import foreign_scripts, form_tokens, make_staff, staff_login
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.lib.markdown import MAX_SOURCE_CHARS
from tipline.profiles import bulletins
from tipline.profiles.bulletins import BulletinText
from tipline.profiles.models import Bulletin

pytestmark = pytest.mark.django_db

NEW = "/staff/bulletins/new/"
TYPED = {
    "language": "en",
    "title": "Fake recruiters online",
    "slug": "fake-recruiters",
    "summary": "How to tell a real job offer from an approach.",
    "body": "## Look out\n\n<script>alert(1)</script> [x](javascript:alert(1))",
    "category": "approach",
    "translation_of": "",
}


@pytest.fixture
def communications(profile):
    return make_staff("press", "press-office", role=Role.COMMUNICATIONS)


@pytest.fixture
def writer(communications):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, communications)
    return client


def post(client, page, action, data):
    html = client.get(page).content.decode()
    return client.post(action, {**form_tokens(html), **data})


def saved(profile, **changes):
    fields = {key: TYPED[key] for key in ("language", "title", "slug", "summary")}
    bulletin = bulletins.create_bulletin(
        profile=profile,
        text=BulletinText(**{**fields, "body": "Words.", **changes}),
    )
    return bulletin, f"/staff/bulletins/{bulletin.pk}/"


def actions():
    return list(
        AuditEvent.objects.filter(action__startswith="bulletin.")
        .order_by("pk")
        .values_list("action", "actor__username", "target")
    )


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SUPERVISOR, Role.FINANCE])
def test_other_staff_are_refused_every_page_and_change(profile, role):
    bulletin, edit = saved(profile)
    user = make_staff("other", "triage", role=role)
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    # A valid token (from the inbox's sign-out form): refused for the role alone.
    tokens = form_tokens(client.get("/staff/").content.decode())

    for path in ("/staff/bulletins/", NEW, edit):
        assert client.get(path).status_code == 404, path
    for path in ("publish", "delete", "preview", "schedule", "unpublish"):
        assert client.post(f"{edit}{path}/", tokens).status_code == 404
    assert client.post(NEW, {**tokens, **TYPED}).status_code == 404
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.DRAFT
    assert Bulletin.objects.count() == 1
    assert actions() == []


def test_someone_signed_out_is_sent_to_sign_in(profile):
    _bulletin, edit = saved(profile)
    response = Client().post(f"{edit}publish/")

    assert response.status_code == 302
    assert response["Location"] == f"/staff/login/?next={edit}publish/"
    assert Client().get("/staff/bulletins/")["Location"].startswith("/staff/login/")
    assert Bulletin.objects.get().state == Bulletin.State.DRAFT


def test_a_post_without_the_csrf_token_is_refused(writer, profile):
    bulletin, edit = saved(profile)

    assert writer.post(NEW, TYPED).status_code == 403
    assert writer.post(f"{edit}publish/").status_code == 403
    assert Bulletin.objects.count() == 1
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.DRAFT


def test_missing_and_oversize_fields_are_refused_keeping_what_was_typed(writer):
    response = post(writer, NEW, NEW, {**TYPED, "title": "", "slug": "Not a slug!"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Please check the form" in html
    assert "This field is required." in html
    assert "Fake recruiters" not in html.split("<h1>")[0]
    assert "How to tell a real job offer from an approach." in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the body, kept
    assert Bulletin.objects.count() == 0

    long_body = "a" * (MAX_SOURCE_CHARS + 1)
    response = post(writer, NEW, NEW, {**TYPED, "body": long_body})
    assert response.status_code == 400
    assert (
        "The text is too long: at most 40,000 characters, and this one has 40,001."
    ) in response.content.decode()
    assert long_body in response.content.decode()
    response = post(writer, NEW, NEW, {**TYPED, "category": "no-such"})
    assert response.status_code == 400
    response = post(writer, NEW, NEW, {**TYPED, "title": "nul\x00byte"})
    assert response.status_code == 400
    assert Bulletin.objects.count() == 0
    assert actions() == []


def test_a_taken_address_is_a_clear_error(writer, profile):
    saved(profile)

    response = post(writer, NEW, NEW, {**TYPED, "title": "A second one"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Another bulletin in this language has this address." in html
    assert 'value="A second one"' in html
    assert Bulletin.objects.count() == 1
    response = post(writer, NEW, NEW, {**TYPED, "slug": "feed"})
    assert "Another bulletin in this language has this address." in (
        response.content.decode()
    )


def test_preview_shows_the_sanitised_text_and_saves_nothing(writer, profile):
    response = post(writer, NEW, "/staff/bulletins/new/preview/", TYPED)

    assert response.status_code == 200
    html = response.content.decode()
    preview = html[html.index('id="preview"') : html.index("</section>")]
    assert "<h2>Look out</h2>" in preview
    assert foreign_scripts(preview) == []
    assert 'href="javascript' not in preview
    assert 'value="Fake recruiters online"' in html  # the form, still filled
    assert Bulletin.objects.count() == 0

    bulletin, edit = saved(profile)
    response = post(
        writer, edit, f"{edit}preview/", {**TYPED, "title": "Changed title"}
    )
    assert "Changed title" in response.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.title == "Fake recruiters online"
    assert actions() == []


def test_a_communications_user_writes_publishes_and_unpublishes(
    writer, communications, client
):
    response = post(writer, NEW, NEW, TYPED)
    bulletin = Bulletin.objects.get()
    edit = f"/staff/bulletins/{bulletin.pk}/"
    assert response.status_code == 302
    assert response["Location"] == edit
    assert bulletin.state == Bulletin.State.DRAFT
    assert bulletin.category_slug == "approach"
    assert client.get("/news/fake-recruiters/").status_code == 404

    response = post(writer, edit, f"{edit}publish/", {})
    assert response["Location"] == edit
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.PUBLISHED
    public = client.get("/news/fake-recruiters/").content.decode()
    assert "Fake recruiters online" in public
    assert foreign_scripts(public) == []

    response = post(writer, edit, edit, {**TYPED, "title": "Fake recruiters, again"})
    assert response["Location"] == edit
    assert (
        "Fake recruiters, again"
        in client.get("/news/fake-recruiters/").content.decode()
    )

    refused = post(writer, edit, f"{edit}delete/", {})
    assert refused["Location"] == edit
    assert Bulletin.objects.filter(pk=bulletin.pk).exists() is True
    assert "Unpublish the bulletin before deleting it." in (
        writer.get(edit).content.decode()
    )

    post(writer, edit, f"{edit}unpublish/", {})
    assert client.get("/news/fake-recruiters/").status_code == 404
    response = post(writer, edit, f"{edit}delete/", {})
    assert response["Location"] == "/staff/bulletins/"
    assert Bulletin.objects.count() == 0

    target = f"bulletin:{bulletin.pk}"
    assert actions() == [
        ("bulletin.created", "press", target),
        ("bulletin.published", "press", target),
        ("bulletin.edited", "press", target),
        ("bulletin.unpublished", "press", target),
        ("bulletin.deleted", "press", target),
    ]


def test_scheduling_needs_a_time_to_come(writer, profile, client):
    bulletin, edit = saved(profile)

    for typed in ("2001-01-01T09:00", "not a time", ""):
        response = post(writer, edit, f"{edit}schedule/", {"publish_at": typed})
        assert response.status_code == 400, typed
        assert 'value="Fake recruiters online"' in response.content.decode()
    assert (
        "Choose a time that is still to come."
        in post(
            writer, edit, f"{edit}schedule/", {"publish_at": "2001-01-01T09:00"}
        ).content.decode()
    )
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.DRAFT

    at = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = post(
        writer, edit, f"{edit}schedule/", {"publish_at": at.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response["Location"] == edit
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.SCHEDULED
    assert bulletin.publish_at == at
    assert client.get("/news/fake-recruiters/").status_code == 404
    assert "Scheduled for" in writer.get("/staff/bulletins/").content.decode()
    assert [a for a, _u, _t in actions()] == ["bulletin.scheduled"]


def test_an_administrator_may_edit_bulletins_too(profile):
    bulletin, edit = saved(profile)
    admin = make_staff("root", "admins", role=Role.ADMINISTRATOR)
    client = Client(enforce_csrf_checks=True)
    staff_login(client, admin)

    assert client.get("/staff/bulletins/").status_code == 200
    post(client, edit, f"{edit}publish/", {})
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.PUBLISHED
    assert actions()[-1][:2] == ("bulletin.published", "root")


def test_a_translation_is_linked_in_the_editor(writer, profile, client):
    english, _edit = saved(profile)
    bulletins.publish_bulletin(bulletin=english)
    chinese = {
        **TYPED,
        "language": "zh-hans",
        "title": "网上的假招聘",
        "summary": "如何分辨真正的工作机会。",
        "translation_of": str(english.pk),
    }
    post(writer, NEW, NEW, chinese)
    made = Bulletin.objects.get(language="zh-hans")
    assert made.group == english.group

    refused = post(
        writer, NEW, NEW, {**TYPED, "slug": "x", "translation_of": str(english.pk)}
    )
    assert refused.status_code == 400
    assert "A translation is a bulletin in the other language." in (
        refused.content.decode()
    )
