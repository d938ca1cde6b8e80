from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tipline.cases import retention


class Command(BaseCommand):
    help = (
        "Destroy every case whose retention period has ended: all sealed copies of "
        "its data key, its ciphertext and its files. Anonymous counts remain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only say how many are due"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            self.stdout.write(f"{retention.due_count()} cases are due for purging")
            return
        result = retention.purge_due()
        self.stdout.write(
            f"purged {result.cases} cases and {result.files} evidence files"
        )
