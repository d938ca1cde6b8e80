"""Settings > Guardrail: administrators edit the guardrail's word lists."""

import pytest
from django.test import Client

from testkit.helpers import form_tokens, make_staff, staff_login
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.profiles.models import Profile

pytestmark = pytest.mark.django_db

PAGE = "/staff/settings/guardrail/"


@pytest.fixture
def admin_client(profile):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, make_staff("admin", "triage", role=Role.ADMINISTRATOR))
    return client


def lists_form(client):
    html = client.get(PAGE).content.decode()
    profile = Profile.objects.get(active=True)
    data = {
        f"{kind}_{code.replace('-', '_')}": "\n".join(words)
        for kind, by_language in profile.guardrail.items()
        for code, words in by_language.items()
    }
    return {**form_tokens(html), **data}


def test_outsider_gets_a_404_and_nothing_changes(outsider):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, outsider)
    before = Profile.objects.get(active=True).guardrail
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"protected_en": "x"}).status_code in (403, 404)
    assert Profile.objects.get(active=True).guardrail == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("photo*graph", "only at its end"),
        ("a" * 61, "at most 60"),
        ("\n".join(f"w{n}" for n in range(401)), "at most 400 words"),
    ],
)
def test_bad_lists_are_refused_and_the_text_kept(admin_client, text, message):
    before = Profile.objects.get(active=True).guardrail
    data = lists_form(admin_client) | {"protected_en": text}
    response = admin_client.post(PAGE, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert text.splitlines()[0] in page
    assert Profile.objects.get(active=True).guardrail == before


def test_oversize_text_is_refused(admin_client):
    data = lists_form(admin_client) | {"behaviour_en": "x" * 20_001}
    response = admin_client.post(PAGE, data)
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode()


def test_administrator_saves_normalised_lists_and_it_is_audited(
    admin_client, django_capture_on_commit_callbacks
):
    assert "venusian" not in Client().get("/report/approach/").content.decode()
    page = admin_client.get(PAGE).content.decode()
    assert "muslim*" in page
    assert 'href="/staff/settings/guardrail/"' in page
    data = lists_form(admin_client) | {
        "protected_en": "Martian\n\nＶＥＮＵＳＩＡＮ\nmartian"
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(PAGE, data)
    assert response.status_code == 302
    profile = Profile.objects.get(active=True)
    assert profile.guardrail["protected"]["en"] == ["martian", "venusian"]
    event = AuditEvent.objects.filter(action="settings.guardrail").get()
    assert event.target == f"profile:{profile.slug}"
    assert event.detail["protected"]["en"] == 2
    # The form now uses the new lists.
    html = Client().get("/report/approach/").content.decode()
    assert "venusian" in html
    # Saving the same again changes nothing and audits nothing.
    admin_client.post(PAGE, lists_form(admin_client))
    assert AuditEvent.objects.filter(action="settings.guardrail").count() == 1
