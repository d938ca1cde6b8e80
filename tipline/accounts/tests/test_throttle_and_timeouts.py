"""Sign-in throttling that reveals no account, and staff session timeouts."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from testkit.helpers import PASSWORD, sign_in, staff_login
from tipline.accounts import throttle, timeouts
from tipline.accounts.models import LoginFailure
from tipline.accounts.session_keys import COOKIE_NAME
from tipline.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

THROTTLED = "Too many failed sign-ins"


def test_an_account_is_throttled_after_five_failures(owner):
    client = Client(enforce_csrf_checks=True)
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert sign_in(client, "owner", "wrong password!").status_code == 200

    response = sign_in(client, "owner", PASSWORD)

    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.throttled").count() == 1


def test_an_unknown_name_is_throttled_the_same_way(owner):
    answers = {}
    for name in ("owner", "nobody-by-this-name"):
        client = Client(enforce_csrf_checks=True)
        for _ in range(throttle.ACCOUNT_LIMIT):
            sign_in(client, name, "wrong password!")
        response = sign_in(client, name, "wrong password!")
        answers[name] = (response.status_code, THROTTLED in response.content.decode())

    assert answers["owner"] == answers["nobody-by-this-name"] == (429, True)


def test_the_lock_ends_with_the_window_and_success_clears_the_count(owner):
    client = Client(enforce_csrf_checks=True)
    for _ in range(throttle.ACCOUNT_LIMIT):
        sign_in(client, "owner", "wrong password!")
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))

    assert sign_in(client, "owner", PASSWORD).status_code == 302
    assert (
        LoginFailure.objects.filter(account=throttle.account_key("owner")).count() == 0
    )


def test_many_failures_across_names_throttle_everyone(owner):
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        LoginFailure(account=f"{n:064x}", at=now) for n in range(throttle.GLOBAL_LIMIT)
    )

    response = sign_in(Client(enforce_csrf_checks=True), "owner", PASSWORD)

    assert response.status_code == 429


def test_failures_are_audited_without_the_name_or_password_typed(owner):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, "owner", "my-secret-guess-1")
    sign_in(client, "typed-into-name-field", "my-secret-guess-2")

    events = list(AuditEvent.objects.filter(action="login.failed").order_by("pk"))
    assert [event.target for event in events] == [f"user:{owner.pk}", ""]
    stored = " ".join(
        f"{e.target} {e.detail} {e.actor_name}" for e in AuditEvent.objects.all()
    ) + " ".join(LoginFailure.objects.values_list("account", flat=True))
    for typed in ("my-secret-guess", "typed-into-name-field"):
        assert typed not in stored


def age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for field, ago in seconds_ago.items():
        session[field] = now - ago
    session.save()


def test_an_idle_session_ends_and_locks_the_key(owner, settings):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    assert client.get("/staff/").status_code == 200
    age_session(client, **{timeouts.SEEN: settings.SESSION_IDLE_SECONDS + 5})

    response = client.get("/staff/")

    assert response.status_code == 302
    assert response.url.startswith("/staff/login/")
    assert response.cookies[COOKIE_NAME].value == ""
    assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_at_the_absolute_limit(owner, settings):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    age_session(
        client,
        **{timeouts.STARTED: settings.SESSION_MAX_SECONDS + 5, timeouts.SEEN: 0},
    )

    response = client.get("/staff/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
