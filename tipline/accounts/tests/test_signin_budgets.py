"""Sign-in budgets count the account, not the spelling; codes have their own
(issue 12, point 3). Everything goes through the real sign-in pages with CSRF
enforced."""

import re
from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from testkit.helpers import (
    AUTHENTICATORS,
    PASSWORD,
    authenticator_code,
    enrol_authenticator,
    make_staff,
    post_form,
    sign_in,
    staff_login,
)
from tipline.accounts import throttle
from tipline.accounts.models import LoginFailure, Role, SecondFactor
from tipline.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

THROTTLED = "Too many failed sign-ins"
CODES_LOCKED = re.compile(
    r"Too many wrong codes\. You can try again after (\d\d:\d\d) UTC, or ask an "
    r"administrator\."
)
# Six spellings of "owner", each a different string (and different after plain
# case folding), each one Django's sign-in turns into "owner" (NFKC).
LOOK_ALIKES = [
    "owner",
    "\uff4f\uff57\uff4e\uff45\uff52",  # full-width
    "\uff2f\uff37\uff2e\uff25\uff32",  # full-width capitals
    "\u1d52wner",  # modifier letter small o
    "owne\u02b3",  # modifier letter small r
    " \uff4fwner ",  # mixed, with the spaces a form strips
]


def send_code(client, code):
    return post_form(client, "/staff/login/code/", "/staff/login/code/", {"code": code})


def wrong_code(user):
    right = authenticator_code(AUTHENTICATORS[user.pk])
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_look_alike_spellings_share_one_budget(owner):
    spellings = {throttle.account_key(name) for name in LOOK_ALIKES}
    assert len(spellings) == 1
    for name in LOOK_ALIKES[: throttle.ACCOUNT_LIMIT]:
        response = sign_in(Client(enforce_csrf_checks=True), name, "wrong password!")
        assert response.status_code == 200

    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, LOOK_ALIKES[-1], PASSWORD)

    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session
    same_name = LoginFailure.objects.filter(account=throttle.account_key("owner"))
    assert same_name.count() == throttle.ACCOUNT_LIMIT
    # Upper-case spellings sign in to no account (names are case-sensitive), so
    # only the others were also counted against the account itself.
    assert LoginFailure.objects.filter(user=owner).count() == 4


def test_a_look_alike_spelling_signs_in_to_the_same_account(owner):
    """The reason the budget must be shared: Django accepts these spellings."""
    client = Client(enforce_csrf_checks=True)

    assert sign_in(client, LOOK_ALIKES[1], PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_different_name_that_merely_looks_alike_has_its_own_budget(owner):
    cyrillic = "\u043ewner"  # Cyrillic o: not owner under NFKC, signs in to nothing
    for _ in range(throttle.ACCOUNT_LIMIT):
        sign_in(Client(enforce_csrf_checks=True), cyrillic, "wrong password!")

    response = sign_in(Client(enforce_csrf_checks=True), cyrillic, PASSWORD)
    assert response.status_code == 429
    assert LoginFailure.objects.filter(user=owner).count() == 0
    assert sign_in(Client(enforce_csrf_checks=True), "owner", PASSWORD).status_code == (
        302
    )


def test_the_right_password_does_not_reset_the_count_before_the_code(owner):
    enrol_authenticator(owner)
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        sign_in(Client(enforce_csrf_checks=True), "owner", "wrong password!")
    response = sign_in(Client(enforce_csrf_checks=True), "owner", PASSWORD)
    assert response.status_code == 302
    assert response.url == "/staff/login/code/"
    sign_in(Client(enforce_csrf_checks=True), "owner", "wrong password!")

    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, "owner", PASSWORD)

    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    assert LoginFailure.objects.filter(user=owner).count() == throttle.ACCOUNT_LIMIT


def test_the_whole_sign_in_clears_the_counts(owner):
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        sign_in(Client(enforce_csrf_checks=True), LOOK_ALIKES[1], "wrong password!")
    client = Client(enforce_csrf_checks=True)
    enrol_authenticator(owner)
    sign_in(client, "owner", PASSWORD)
    send_code(client, wrong_code(owner))
    assert LoginFailure.objects.filter(user=owner).count() == throttle.ACCOUNT_LIMIT

    SecondFactor.objects.filter(user=owner).update(last_step=-1)
    response = send_code(client, authenticator_code(AUTHENTICATORS[owner.pk]))

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert LoginFailure.objects.count() == 0


def test_wrong_codes_are_limited_even_when_the_password_is_entered_again(owner):
    enrol_authenticator(owner)
    responses = []
    # An attacker who has the password signs in afresh before each budget runs out.
    for batch in (2, 2, 1):
        client = Client(enforce_csrf_checks=True)
        assert sign_in(client, "owner", PASSWORD).url == "/staff/login/code/"
        responses += [send_code(client, wrong_code(owner)) for _ in range(batch)]

    assert [r.status_code for r in responses] == [400, 400, 400, 400, 429]
    oldest = LoginFailure.objects.filter(user=owner, kind="code").earliest("at").at
    retry = timezone.localtime(oldest + throttle.CODE_WINDOW, UTC)
    match = CODES_LOCKED.search(responses[-1].content.decode())
    assert match is not None
    assert match.group(1) == retry.strftime("%H:%M")

    # The right code is refused too, in a fresh sign-in as in this one.
    client = Client(enforce_csrf_checks=True)
    sign_in(client, "owner", PASSWORD)
    SecondFactor.objects.filter(user=owner).update(last_step=-1)
    response = send_code(client, authenticator_code(AUTHENTICATORS[owner.pk]))
    assert response.status_code == 429
    assert CODES_LOCKED.search(response.content.decode()) is not None
    assert "_auth_user_id" not in client.session


def test_recovery_codes_count_against_the_same_budget(owner):
    enrol_authenticator(owner)
    client = Client(enforce_csrf_checks=True)
    sign_in(client, "owner", PASSWORD)
    for n in range(throttle.CODE_LIMIT):
        send_code(client, f"dead-beef-{n:04d}")

    response = send_code(client, "0000-0000-0000")

    assert response.status_code == 429
    assert LoginFailure.objects.filter(user=owner, kind="code").count() == 5


def test_codes_unlock_when_the_window_has_passed(owner):
    enrol_authenticator(owner)
    client = Client(enforce_csrf_checks=True)
    sign_in(client, "owner", PASSWORD)
    for _ in range(throttle.CODE_LIMIT):
        send_code(client, wrong_code(owner))
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))

    client = Client(enforce_csrf_checks=True)
    sign_in(client, "owner", PASSWORD)
    SecondFactor.objects.filter(user=owner).update(last_step=-1)
    response = send_code(client, authenticator_code(AUTHENTICATORS[owner.pk]))

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_administrators_are_told_about_repeated_wrong_codes(owner, outsider):
    admin = make_staff("admin", "triage", Role.ADMINISTRATOR)
    admin_client = Client(enforce_csrf_checks=True)
    staff_login(admin_client, admin)
    assert 'id="codes-locked"' not in admin_client.get("/staff/").content.decode()
    enrol_authenticator(owner)
    client = Client(enforce_csrf_checks=True)
    sign_in(client, "owner", PASSWORD)
    for _ in range(throttle.CODE_LIMIT + 2):
        send_code(client, wrong_code(owner))

    events = AuditEvent.objects.filter(action="login.codes_locked")
    assert [(e.target, e.actor_id) for e in events] == [(f"user:{owner.pk}", None)]
    page = admin_client.get("/staff/").content.decode()
    assert 'id="codes-locked"' in page
    assert "1 account had its sign-in codes locked after repeated wrong codes" in page
    outsider_client = Client(enforce_csrf_checks=True)
    staff_login(outsider_client, outsider)
    assert 'id="codes-locked"' not in outsider_client.get("/staff/").content.decode()


def test_a_wrong_current_password_counts_against_the_account(owner):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    for _ in range(throttle.ACCOUNT_LIMIT):
        post_form(
            client,
            "/staff/account/password/",
            "/staff/account/password/",
            {
                "current": "wrong password!",
                "new": "a new password, long enough",
                "new_again": "a new password, long enough",
            },
        )

    response = sign_in(Client(enforce_csrf_checks=True), LOOK_ALIKES[2], PASSWORD)

    assert response.status_code == 429
