"""The rewards roles (issue 14, point 2): created from the command line, and
held to a second factor from their first sign-in."""

import pytest
from django.core.management import CommandError, call_command

from testkit.helpers import PASSWORD
from tipline.accounts import two_factor
from tipline.accounts.models import User


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["rewards_approver", "finance"])
def test_createuser_accepts_the_rewards_roles(monkeypatch, profile, role):
    monkeypatch.setenv("TIPLINE_PASSWORD", PASSWORD)

    call_command("createuser", "ann", "--role", role, "--team", "rewards")

    user = User.objects.get(username="ann")
    assert user.role == role
    assert user.has_keys is True
    assert two_factor.is_required(user) is True


@pytest.mark.django_db
def test_createuser_refuses_an_unknown_role(monkeypatch, profile):
    monkeypatch.setenv("TIPLINE_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match="invalid choice: 'approver'"):
        call_command("createuser", "ann", "--role", "approver")
    assert not User.objects.filter(username="ann").exists()
