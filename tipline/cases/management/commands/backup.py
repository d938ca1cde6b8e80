from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.audit import services as audit
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
        # A backup is an export of every report: who holds copies must be traceable.
        audit.record(
            action="backup.written",
            actor=None,
            target=str(options["destination"].resolve()),
            detail={"database": manifest["database"], "files": len(manifest["files"])},
        )
        self.stdout.write(
            f"backup of the {manifest['database']} database and "
            f"{len(manifest['files'])} files written to {options['destination']}"
        )
