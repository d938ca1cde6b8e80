from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.accounts.escrow import EscrowKeyInvalid, parse_escrow_private_key
from tipline.accounts.models import User
from tipline.cases import recovery
from tipline.cases.models import Case


class Command(BaseCommand):
    help = (
        "Use the escrow private key to give staff access to cases: those no one "
        "can read (sealed before the team had a member with a key) or named ones. "
        "Every grant is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        grant = sub.add_parser(
            "grant",
            help="seal cases' data keys to staff, opened with the escrow key",
        )
        grant.add_argument(
            "--to",
            action="append",
            required=True,
            metavar="USERNAME",
            help="staff member to give access to; may be repeated",
        )
        which = grant.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--case",
            action="append",
            type=int,
            metavar="N",
            help="case number; may be repeated",
        )
        which.add_argument(
            "--unreadable",
            action="store_true",
            help="every case no active staff member can read",
        )
        grant.add_argument(
            "--escrow-key-file",
            required=True,
            metavar="PATH",
            help="file holding the escrow private key, or - to read it from stdin",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = self._escrow_key(options["escrow_key_file"])
        grantees = [self._user(name) for name in dict.fromkeys(options["to"])]
        cases = self._cases(options["case"], unreadable=options["unreadable"])
        if not cases:
            self.stdout.write("Every case can be read by someone: nothing to grant.")
            return
        try:
            granted = recovery.grant_with_escrow(
                cases=cases, grantees=grantees, escrow_private_key=key
            )
        except recovery.EscrowGrantRefused as exc:
            raise CommandError(str(exc)) from None
        for case, user in granted:
            self.stdout.write(f"Granted case {case.pk} to {user.get_username()}.")
        skipped = len(cases) * len(grantees) - len(granted)
        if skipped:
            self.stdout.write(f"{skipped} grant(s) skipped: access was already held.")

    def _escrow_key(self, where: str) -> bytes:
        try:
            text = sys.stdin.read() if where == "-" else Path(where).read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                f"Cannot read the escrow key from {where}: {exc}"
            ) from None
        try:
            return parse_escrow_private_key(
                text, public_key_hex=settings.ESCROW_PUBLIC_KEY
            )
        except EscrowKeyInvalid as exc:
            raise CommandError(str(exc)) from None

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No staff member is named {username!r}.") from None

    def _cases(self, numbers: list[int] | None, *, unreadable: bool) -> list[Case]:
        if unreadable:
            return list(recovery.unreadable_cases().order_by("pk"))
        found = {case.pk: case for case in Case.objects.filter(pk__in=numbers or [])}
        missing = sorted(set(numbers or []) - set(found))
        if missing:
            raise CommandError(f"No case numbered {', '.join(map(str, missing))}.")
        return [found[pk] for pk in dict.fromkeys(numbers or [])]
