from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.profiles.loader import ProfileInvalid, available_profiles, load_profile


class Command(BaseCommand):
    help = "Load a profile (categories and questionnaires) and make it active."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load", help="load NAME (shipped) or a path to a .toml file"
        )
        load.add_argument("name")
        sub.add_parser("list", help="list the shipped profiles")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self.stdout.write("\n".join(available_profiles()))
            return
        try:
            profile = load_profile(options["name"])
        except ProfileInvalid as exc:
            raise CommandError(str(exc)) from None
        count = profile.categories.filter(active=True).count()
        self.stdout.write(
            f"Loaded profile {profile.slug} ({count} categories); now active."
        )
