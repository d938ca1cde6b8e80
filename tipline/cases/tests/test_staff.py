import base64
import json

import pytest
from django.test import Client

from testkit.helpers import PASSWORD, form_tokens, post_form, receipt_in, staff_login
from tipline.accounts.session_keys import (
    COOKIE_NAME,
    SESSION_FIELD,
    unlocked_private_key,
)
from tipline.audit.models import AuditEvent
from tipline.audit.services import verify_chain
from tipline.cases.models import Case, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(submit_report, owner):
    response = submit_report({"what_happened": "Laptop stolen from the archive room"})
    case = Case.objects.get()
    case.receipt = receipt_in(response.content.decode())
    return case


@pytest.fixture
def owner_client(owner):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    return client


def test_login_unlocks_the_key_and_the_inbox_lists_team_cases(owner_client, case):
    response = owner_client.get("/staff/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/staff/cases/{case.pk}/"' in html
    assert "Suspicious approach or recruitment attempt" in html
    assert AuditEvent.objects.filter(action="login", actor__username="owner").exists()


def test_inbox_is_newest_first_and_paginated(owner_client, submit_report):
    for n in range(55):
        submit_report({"what_happened": f"report number {n}"})
    ids = list(Case.objects.order_by("-id").values_list("pk", flat=True))

    first = owner_client.get("/staff/").content.decode()
    second = owner_client.get("/staff/?page=2").content.decode()

    assert first.index(f"/staff/cases/{ids[0]}/") < first.index(
        f"/staff/cases/{ids[1]}/"
    )
    assert f"/staff/cases/{ids[54]}/" not in first
    assert f"/staff/cases/{ids[54]}/" in second
    assert "Page 1 of 2" in first


def test_inbox_query_count_does_not_grow_with_cases(
    owner_client, submit_report, django_assert_max_num_queries
):
    for n in range(20):
        submit_report({"what_happened": f"report {n}"})
    # 8, and the Site row's updated_at that every page reads (the header's name
    # and brand: tipline.profiles.selectors).
    with django_assert_max_num_queries(9):
        owner_client.get("/staff/")


def test_case_page_decrypts_the_report_and_audits_the_read(owner_client, case):
    response = owner_client.get(f"/staff/cases/{case.pk}/")

    assert response.status_code == 200
    assert "Laptop stolen from the archive room" in response.content.decode()
    read = AuditEvent.objects.filter(action="case.read").get()
    assert read.actor.username == "owner"
    assert read.target == f"case:{case.pk}"


def test_outsider_gets_404_and_no_read_is_recorded(outsider, case):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, outsider)

    assert f"/staff/cases/{case.pk}/" not in client.get("/staff/").content.decode()
    response = client.get(f"/staff/cases/{case.pk}/")

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="case.read").exists()


def test_outsider_cannot_reply(outsider, owner_client, case):
    page = owner_client.get(f"/staff/cases/{case.pk}/").content.decode()
    client = Client(enforce_csrf_checks=True)
    staff_login(client, outsider)
    html = client.get("/staff/").content.decode()
    data = {**form_tokens(html), "token": form_tokens(page)["token"], "body": "hi"}

    response = client.post(f"/staff/cases/{case.pk}/reply/", data)

    assert response.status_code == 404
    assert Message.objects.count() == 0


def test_nonexistent_case_is_404(owner_client, case):
    assert owner_client.get("/staff/cases/999999/").status_code == 404


def test_reply_reaches_the_reporter(owner_client, case, browser_client):
    page = f"/staff/cases/{case.pk}/"
    response = post_form(
        owner_client, page, f"{page}reply/", {"body": "Thank you. Which building?"}
    )

    assert response.status_code == 302
    assert response["Location"] == page
    message = Message.objects.get()
    assert message.author.username == "owner"
    assert b"Which building" not in bytes(message.body_encrypted)
    assert AuditEvent.objects.filter(action="message.staff").count() == 1
    case.refresh_from_db()
    assert case.status == "acknowledged"
    follow = post_form(
        browser_client, "/followup/", "/followup/", {"receipt": case.receipt}
    )
    assert "Thank you. Which building?" in follow.content.decode()
    assert "Received and read by our staff." in follow.content.decode()
    assert verify_chain() is None


def test_empty_reply_is_refused(owner_client, case):
    page = f"/staff/cases/{case.pk}/"
    response = post_form(owner_client, page, f"{page}reply/", {"body": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Message.objects.count() == 0


def test_without_the_key_cookie_the_session_cannot_read_cases(owner_client, case):
    owner_client.cookies.pop(COOKIE_NAME)

    response = owner_client.get(f"/staff/cases/{case.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
    assert not AuditEvent.objects.filter(action="case.read").exists()
    login_page = owner_client.get(response["Location"])
    assert login_page.status_code == 200
    assert "Sign in again to unlock case data." in login_page.content.decode()


def key_forms(key: bytes) -> list[str]:
    """Every way the key could sit in a session as text."""
    return [
        key.hex(),
        key.hex().upper(),
        base64.b64encode(key).decode(),
        base64.b64encode(key).decode().rstrip("="),
        base64.urlsafe_b64encode(key).decode().rstrip("="),
        base64.b32encode(key).decode().rstrip("="),
        json.dumps(list(key)),
    ]


def session_store_text() -> str:
    """All the session store holds, as stored and as decoded."""
    from django.contrib.sessions.models import Session

    rows = list(Session.objects.all())
    decoded = [row.get_decoded() for row in rows]
    return json.dumps(decoded) + "".join(row.session_data for row in rows)


def test_session_row_does_not_hold_the_private_key_in_clear(owner, owner_client):
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from tipline.accounts.services import unlock_private_key

    private = unlock_private_key(user=owner, password=PASSWORD)
    session = SessionStore(owner_client.session.session_key)

    assert session[SESSION_FIELD]
    stored = session_store_text()
    assert [form for form in key_forms(private) if form in stored] == []
    # The key is there, locked under the key in the cookie ...
    request = RequestFactory().get("/staff/")
    request.user, request.session = owner, session
    request.COOKIES[COOKIE_NAME] = owner_client.cookies[COOKIE_NAME].value
    assert unlocked_private_key(request) == private
    # ... and the search finds it written in the store in any of these forms.
    for form in key_forms(private):
        leaky = SessionStore()
        leaky["leak"] = form
        leaky.save()
        assert form in session_store_text()
        leaky.delete()


def test_wrong_password_is_refused_without_saying_which_part(client, owner):
    response = post_form(
        client,
        "/staff/login/",
        "/staff/login/",
        {"username": "owner", "password": "no"},
    )
    other = post_form(
        client,
        "/staff/login/",
        "/staff/login/",
        {"username": "nobody", "password": "no"},
    )
    assert response.status_code == other.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert "Please enter a correct username and password." in other.content.decode()


def test_logout_forgets_the_key(owner_client, case):
    html = owner_client.get("/staff/").content.decode()
    response = owner_client.post("/staff/logout/", form_tokens(html))

    assert response.status_code == 302
    assert owner_client.cookies[COOKIE_NAME].value == ""
    assert owner_client.get(f"/staff/cases/{case.pk}/").status_code == 302


def test_staff_pages_need_login(client, case):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_markup_in_a_report_reaches_staff_as_text(owner_client, submit_report, owner):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    submit_report({"what_happened": hostile})
    case = Case.objects.get()

    html = owner_client.get(f"/staff/cases/{case.pk}/").content.decode()

    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x" in html
