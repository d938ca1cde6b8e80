import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from testkit.helpers import PASSWORD, post_form
from tipline import crypto
from tipline.accounts import services
from tipline.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_new_staff_user_gets_a_locked_and_escrowed_key_pair(profile):
    team = services.get_or_create_team(slug="triage")
    user = services.create_staff_user(
        username="ana", password=PASSWORD, role=Role.ANALYST, team=team, actor=None
    )

    private = services.unlock_private_key(user=user, password=PASSWORD)
    assert private not in bytes(user.private_key_locked)
    with pytest.raises(crypto.DecryptionFailed):
        services.unlock_private_key(user=user, password=PASSWORD + "!")
    data = crypto.seal_for_staff(b"data key", bytes(user.public_key))
    assert crypto.open_as_staff(data, private) == b"data key"


def test_escrow_private_key_opens_the_escrowed_copy(profile, settings):
    user = services.create_staff_user(
        username="ana", password=PASSWORD, role=Role.ANALYST, team=None, actor=None
    )
    escrow_private = bytes.fromhex(
        (settings.SECRETS_DIR / "escrow_private_key").read_text().strip()
    )

    recovered = crypto.open_as_staff(bytes(user.private_key_escrowed), escrow_private)

    assert recovered == services.unlock_private_key(user=user, password=PASSWORD)


def test_weak_password_is_refused(profile):
    with pytest.raises(ValidationError, match="too short"):
        services.create_staff_user(
            username="ana", password="short", role=Role.ANALYST, team=None, actor=None
        )
    assert not User.objects.exists()


def test_createuser_command_reads_the_password_from_the_environment(
    profile, monkeypatch, capsys
):
    monkeypatch.setenv("TIPLINE_PASSWORD", PASSWORD)

    call_command("createuser", "ivan", "--role", "investigator", "--team", "cyber")

    user = User.objects.get(username="ivan")
    assert user.role == Role.INVESTIGATOR
    assert user.team.slug == "cyber"
    assert "Created investigator ivan in team cyber." in capsys.readouterr().out


def test_createuser_refuses_a_weak_password_clearly(profile, monkeypatch):
    monkeypatch.setenv("TIPLINE_PASSWORD", "12345")
    with pytest.raises(CommandError, match="too short"):
        call_command("createuser", "ivan", "--role", "analyst")
    assert not User.objects.exists()


def test_createadmin_command(profile, monkeypatch):
    monkeypatch.setenv("TIPLINE_PASSWORD", PASSWORD)
    call_command("createadmin", "root")
    admin = User.objects.get(username="root")
    assert admin.role == Role.ADMINISTRATOR
    assert admin.is_superuser is True


def test_setup_link_creates_the_first_admin_once(profile):
    token = services.issue_setup_token()
    client = Client(enforce_csrf_checks=True)
    url = f"/staff/setup/{token}/"
    data = {"username": "chief", "password": PASSWORD, "password_again": PASSWORD}

    response = post_form(client, url, url, data)

    assert response.status_code == 302
    assert User.objects.get(username="chief").role == Role.ADMINISTRATOR
    assert client.get(f"/staff/setup/{token}/").status_code == 404
    assert services.issue_setup_token() is None


def test_setup_link_explains_mismatched_passwords(profile):
    token = services.issue_setup_token()
    client = Client(enforce_csrf_checks=True)
    url = f"/staff/setup/{token}/"
    data = {"username": "chief", "password": PASSWORD, "password_again": PASSWORD + "x"}

    response = post_form(client, url, url, data)

    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.exists()


def test_only_the_latest_setup_link_works(profile, client):
    old = services.issue_setup_token()
    new = services.issue_setup_token()
    assert client.get(f"/staff/setup/{old}/").status_code == 404
    assert client.get(f"/staff/setup/{new}/").status_code == 200


def test_profile_command_loads_and_activates_a_profile(profile, capsys):
    call_command("profile", "load", "whistleblowing")

    assert "Loaded profile whistleblowing (7 categories); now active." in (
        capsys.readouterr().out
    )
    html = Client().get("/report/").content.decode()
    assert "/report/fraud-corruption/" in html
    assert "/report/approach/" not in html


def test_profile_command_explains_an_unknown_profile(profile):
    with pytest.raises(CommandError, match="no profile 'nope'"):
        call_command("profile", "load", "nope")
