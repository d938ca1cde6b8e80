"""Changing a password locks the private key again under the new one."""

import pytest
from django.test import Client

from testkit.helpers import PASSWORD, post_form, staff_login
from tipline import crypto
from tipline.accounts.models import User
from tipline.accounts.services import unlock_private_key
from tipline.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = "a new and much longer passphrase"


def change(client, current, new, again=None):
    return post_form(
        client,
        "/staff/account/password/",
        "/staff/account/password/",
        {"current": current, "new": new, "new_again": again or new},
    )


def test_the_key_follows_the_password_and_cases_stay_readable(owner, submit_report):
    submit_report({"what_happened": "The archive door was left open at night."})
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    before = unlock_private_key(user=owner, password=PASSWORD)

    response = change(client, PASSWORD, NEW)

    assert response.status_code == 302
    owner = User.objects.get(pk=owner.pk)
    assert unlock_private_key(user=owner, password=NEW) == before
    with pytest.raises(crypto.DecryptionFailed):
        unlock_private_key(user=owner, password=PASSWORD)
    # Still signed in, and still able to decrypt.
    case_page = client.get("/staff/").content.decode()
    assert "/staff/cases/" in case_page
    assert AuditEvent.objects.filter(action="password.changed").exists()
    fresh = Client(enforce_csrf_checks=True)
    response = post_form(
        fresh,
        "/staff/login/",
        "/staff/login/",
        {"username": "owner", "password": NEW},
    )
    assert response.status_code == 302


def test_a_wrong_current_password_changes_nothing(owner):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    locked = bytes(owner.private_key_locked)

    response = change(client, "not my password at all", NEW)

    assert response.status_code == 400
    assert "not your current password" in response.content.decode()
    owner.refresh_from_db()
    assert bytes(owner.private_key_locked) == locked
    assert owner.check_password(PASSWORD)


def test_a_weak_or_mistyped_new_password_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)

    assert change(client, PASSWORD, "short").status_code == 400
    assert change(client, PASSWORD, NEW, NEW + "x").status_code == 400
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
