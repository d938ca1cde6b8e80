from __future__ import annotations

import getpass
import os

from django.core.management.base import CommandError


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
