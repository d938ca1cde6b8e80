from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.accounts import services
from tipline.accounts.management.commands._password import read_password
from tipline.accounts.models import Role, User


class Command(BaseCommand):
    help = (
        "Create an administrator (with a key pair) from the command line, instead of "
        "the one-time link printed at first start. Password from TIPLINE_PASSWORD or "
        "a prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"User {options['username']!r} exists already")
        try:
            user = services.create_staff_user(
                username=options["username"],
                password=read_password(),
                role=Role.ADMINISTRATOR,
                team=None,
                actor=None,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
        self.stdout.write(f"Created administrator {user.username}.")
