from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.lib import backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the evidence files to a new "
        "directory, while the service runs. Secrets are not included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.write_backup(options["destination"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"backup of the {manifest['database']} database and "
            f"{len(manifest['files'])} files written to {options['destination']}"
        )
