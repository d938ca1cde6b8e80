from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.audit.anchors import AnchorRefused, read_anchors
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
            help="a file of signed heads (the anchor sink's file, or a syslog "
            "export); lines without the anchor key's signature are refused",
        )
        sub.add_parser(
            "head", help="print the current head as COUNT:HASH, to keep elsewhere"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            self.stdout.write(str(current_anchor()))
            return
        try:
            anchors = [Anchor.parse(text) for text in options["anchor"]]
            if options["anchors_file"]:
                text = options["anchors_file"].read_text(errors="replace")
                found = read_anchors(text)
                if not found:
                    raise ValueError(
                        f"{options['anchors_file']} holds no signed anchor: nothing "
                        "to check the end of the log against"
                    )
                anchors += found
        except (ValueError, OSError) as exc:
            where = options["anchors_file"] if isinstance(exc, AnchorRefused) else ""
            raise CommandError(f"{where}{': ' if where else ''}{exc}") from None
        problem = verify_chain(anchors)
        if problem is not None:
            where = (
                f"entry {problem.event_id}"
                if problem.event_id
                else "the end of the log"
            )
            raise CommandError(f"Audit log broken at {where}: {problem.reason}")
        self.stdout.write(_intact(current_anchor(), anchors))


def _intact(head: Anchor, anchors: list[Anchor]) -> str:
    said = f"Audit log intact: {head.count} entries, head {head.last_hash}"
    if not anchors:
        return (
            f"{said}. No kept head to check against: this shows no entry was "
            "edited, not that the newest were cut off with the head rewound. "
            "Pass --anchors-file (the anchor sink's lines) to check that too."
        )
    newest = max(anchors, key=lambda anchor: anchor.count)
    when = f" (written {newest.at})" if newest.at else ""
    said += f", {len(anchors)} kept heads match, the newest at {newest.count}{when}"
    if newest.count < head.count:
        said += f"; entries after {newest.count} are not yet covered by one"
    return said + "."
