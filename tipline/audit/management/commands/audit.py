from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.audit.services import Anchor, current_anchor, verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain and report the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify the whole chain")
        verify.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="COUNT:HASH",
            help="a head printed earlier by `audit head`; may be repeated",
        )
        verify.add_argument(
            "--anchors-file",
            type=Path,
            help="a file of heads, one COUNT:HASH per line (e.g. the worker's)",
        )
        sub.add_parser(
            "head", help="print the current head as COUNT:HASH, to keep elsewhere"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            self.stdout.write(str(current_anchor()))
            return
        texts = list(options["anchor"])
        if options["anchors_file"]:
            texts += [
                line.split()[-1]
                for line in options["anchors_file"].read_text().splitlines()
                if line.strip() and not line.startswith("#")
            ]
        try:
            anchors = [Anchor.parse(text) for text in texts]
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        problem = verify_chain(anchors)
        if problem is not None:
            where = (
                f"entry {problem.event_id}"
                if problem.event_id
                else "the end of the log"
            )
            raise CommandError(f"Audit log broken at {where}: {problem.reason}")
        head = current_anchor()
        checked = f", {len(anchors)} kept heads match" if anchors else ""
        self.stdout.write(
            f"Audit log intact: {head.count} entries, head {head.last_hash}{checked}."
        )
