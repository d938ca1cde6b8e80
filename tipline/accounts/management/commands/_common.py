from __future__ import annotations

import getpass
import os
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from tipline.accounts.models import User


def read_password() -> str:
    """The new user's password: TIPLINE_PASSWORD, or asked twice on the terminal."""
    password = os.environ.get("TIPLINE_PASSWORD")
    if password:
        return password
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password again: ")
    except EOFError:
        raise CommandError(
            "No password: set TIPLINE_PASSWORD or run in a terminal"
        ) from None
    if first != second:
        raise CommandError("The two passwords differ")
    return first


def create_from_command(username: str, create: Callable[[str], User]) -> User:
    """Run ``create(password)`` for a new user, turning refusals into CommandError."""
    if User.objects.filter(username=username).exists():
        raise CommandError(f"User {username!r} exists already")
    try:
        return create(read_password())
    except ValidationError as exc:
        raise CommandError("; ".join(exc.messages)) from None
