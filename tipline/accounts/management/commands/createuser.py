from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tipline.accounts import services
from tipline.accounts.management.commands._common import create_from_command
from tipline.accounts.models import Role


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
        slug = options["team"]
        team = services.get_or_create_team(slug=slug) if slug else None
        user = create_from_command(
            options["username"],
            lambda password: services.create_staff_user(
                username=options["username"],
                password=password,
                role=Role(options["role"]),
                team=team,
                actor=None,
            ),
        )
        where = f" in team {team.slug}" if team else ""
        self.stdout.write(f"Created {user.role} {user.username}{where}.")
