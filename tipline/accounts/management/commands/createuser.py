from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.accounts import services
from tipline.accounts.management.commands._password import read_password
from tipline.accounts.models import Role, User


class Command(BaseCommand):
    help = (
        "Create a staff member with their own key pair. The password comes from "
        "TIPLINE_PASSWORD or a prompt. Reports routed to TEAM after this are readable "
        "by the new user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--team", help="team slug; created if it does not exist")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"User {options['username']!r} exists already")
        team = (
            services.get_or_create_team(slug=options["team"])
            if options["team"]
            else None
        )
        try:
            user = services.create_staff_user(
                username=options["username"],
                password=read_password(),
                role=Role(options["role"]),
                team=team,
                actor=None,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        where = f" in team {team.slug}" if team else ""
        self.stdout.write(f"Created {user.role} {user.username}{where}.")
