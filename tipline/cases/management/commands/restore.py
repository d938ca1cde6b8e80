from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.audit import services as audit
from tipline.lib import backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by `tipline backup` into this instance (stop the "
        "service first). The instance needs the same secrets as the original."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the reports this instance already holds",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.restore_backup(options["source"], force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        # Appended to the restored chain: what happened after the backup was taken
        # is gone, and the log says so (heads kept from that time no longer match).
        audit.record(
            action="backup.restored",
            actor=None,
            target=str(options["source"].resolve()),
            detail={
                "created_at": manifest["created_at"],
                "files": len(manifest["files"]),
            },
        )
        self.stdout.write(
            f"restored the database and {len(manifest['files'])} files from "
            f"{manifest['created_at']}"
        )
