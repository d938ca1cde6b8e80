"""Password hashes are Argon2id, at least as costly as the private key's lock
(issue 12, point 3). The test settings use a cheap hasher; these tests put the
production settings back."""

import re

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from django.contrib.auth.hashers import make_password
from django.test import Client

import tipline.settings as production
from testkit.helpers import PASSWORD, post_form
from tipline.accounts.models import Role, User

pytestmark = pytest.mark.django_db

ARGON2 = re.compile(r"^argon2\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


@pytest.fixture
def production_hashes(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    settings.KEY_PASSWORD_OPSLIMIT = production.KEY_PASSWORD_OPSLIMIT
    settings.KEY_PASSWORD_MEMLIMIT = production.KEY_PASSWORD_MEMLIMIT
    return settings


def parameters(user):
    user.refresh_from_db()
    match = ARGON2.match(user.password)
    assert match is not None, user.password[:40]
    return tuple(int(n) for n in match.groups())


def sign_in(username):
    client = Client(enforce_csrf_checks=True)
    response = post_form(
        client,
        "/staff/login/",
        "/staff/login/",
        {"username": username, "password": PASSWORD},
    )
    assert response.status_code == 302
    return client


def test_a_new_password_is_hashed_with_argon2id_as_costly_as_the_key_lock(
    production_hashes, profile
):
    from testkit.helpers import make_staff

    user = make_staff("hashed", "triage", Role.ANALYST)

    memory_kib, passes, _lanes = parameters(user)
    assert (production.KEY_PASSWORD_OPSLIMIT, production.KEY_PASSWORD_MEMLIMIT) == (
        2,
        64 * 1024 * 1024,
    )
    assert passes >= production.KEY_PASSWORD_OPSLIMIT
    assert memory_kib * 1024 >= production.KEY_PASSWORD_MEMLIMIT
    # argon2-cffi itself reads those parameters from the hash and checks it.
    encoded = user.password.removeprefix("argon2")
    read = extract_parameters(encoded)
    assert (read.type, read.time_cost, read.memory_cost) == (
        Type.ID,
        passes,
        memory_kib,
    )
    assert PasswordHasher().verify(encoded, PASSWORD) is True


def test_a_stronger_key_lock_raises_the_hash_cost_too(production_hashes, profile):
    from testkit.helpers import make_staff

    production_hashes.KEY_PASSWORD_OPSLIMIT = 3
    production_hashes.KEY_PASSWORD_MEMLIMIT = 128 * 1024 * 1024

    user = make_staff("hashed", "triage", Role.ANALYST)

    memory_kib, passes, _lanes = parameters(user)
    assert (memory_kib, passes) == (128 * 1024, 3)


@pytest.mark.parametrize(
    "old",
    [
        "pbkdf2_sha256",  # Django's default, what existing instances hold
        "pbkdf2_sha1",
        "weak argon2",  # Argon2id below the key lock's cost
    ],
)
def test_an_older_hash_is_upgraded_at_the_next_sign_in(production_hashes, owner, old):
    if old == "weak argon2":
        weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
        User.objects.filter(pk=owner.pk).update(password="argon2" + weak.hash(PASSWORD))
    else:
        User.objects.filter(pk=owner.pk).update(
            password=make_password(PASSWORD, hasher=old)
        )

    client = sign_in("owner")

    assert client.session["_auth_user_id"] == str(owner.pk)
    memory_kib, passes, _lanes = parameters(owner)
    assert passes >= 2
    assert memory_kib >= 64 * 1024
