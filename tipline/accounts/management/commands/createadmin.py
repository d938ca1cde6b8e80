from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tipline.accounts import services
from tipline.accounts.management.commands._common import create_from_command


class Command(BaseCommand):
    help = (
        "Create an administrator (with a key pair) from the command line, instead of "
        "the one-time link printed at first start. Password from TIPLINE_PASSWORD or "
        "a prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = create_from_command(
            options["username"],
            lambda password: services.create_administrator(
                username=options["username"], password=password, actor=None
            ),
        )
        self.stdout.write(f"Created administrator {user.username}.")
