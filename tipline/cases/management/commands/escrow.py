from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline import crypto
from tipline.accounts.escrow import EscrowKeyInvalid, parse_escrow_private_key
from tipline.accounts.models import User
from tipline.cases import recovery
from tipline.cases.models import Case


class Command(BaseCommand):
    help = (
        "Use the escrow private key: give staff access to cases no one can read "
        "(sealed before the team had a member with a key) or to named ones; or "
        "re-seal everything to a new escrow key. Each change is audited."
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
        rotate = sub.add_parser(
            "rotate",
            help="re-seal everything sealed to the escrow key to a new public key",
        )
        rotate.add_argument(
            "--new-public-key",
            required=True,
            metavar="HEX",
            help="public half of the new pair (e.g. from `tipline escrow keygen`)",
        )
        for command in (grant, rotate):
            command.add_argument(
                "--escrow-key-file",
                required=True,
                metavar="PATH",
                help="file holding the (current) escrow private key, or - for stdin",
            )
        keygen = sub.add_parser(
            "keygen",
            help="make a new escrow key pair: the private half goes to PATH (0600), "
            "the public half is printed",
        )
        keygen.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "keygen":
            self._keygen(options["path"])
            return
        key = self._escrow_key(options["escrow_key_file"])
        if options["action"] == "rotate":
            self._rotate(key, options["new_public_key"])
            return
        grantees = [self._user(name) for name in dict.fromkeys(options["to"])]
        cases = self._cases(options["case"], unreadable=options["unreadable"])
        if not cases:
            self.stdout.write("Every case can be read by someone: nothing to grant.")
            return
        try:
            granted = recovery.grant_with_escrow(
                cases=cases, grantees=grantees, escrow_private_key=key
            )
        except recovery.EscrowRefused as exc:
            raise CommandError(str(exc)) from None
        for case, user in granted:
            self.stdout.write(f"Granted case {case.pk} to {user.get_username()}.")
        skipped = len(cases) * len(grantees) - len(granted)
        if skipped:
            self.stdout.write(f"{skipped} grant(s) skipped: access was already held.")

    def _keygen(self, path: Path) -> None:
        pair = crypto.generate_keypair()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise CommandError(f"Cannot create {path}: {exc}") from None
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(pair.private.hex() + "\n")
        self.stdout.write(pair.public.hex())

    def _rotate(self, key: bytes, new_public_hex: str) -> None:
        try:
            new_public = bytes.fromhex(new_public_hex.strip())
        except ValueError:
            new_public = b""
        if len(new_public) != crypto.KEY_BYTES:
            raise CommandError(
                "The new public key must be 64 hexadecimal digits "
                "(the line `tipline escrow keygen` printed)."
            )
        if new_public.hex() == settings.ESCROW_PUBLIC_KEY.lower():
            raise CommandError("The new public key is the current one.")
        try:
            done = recovery.rotate_escrow(
                old_private_key=key, new_public_key=new_public
            )
        except recovery.EscrowRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Re-sealed {done.cases} case key(s), {done.users} staff key(s) and "
            f"{done.originals} original(s) to the new escrow key.\n"
            "Now, before starting Tipline again, make the new public key the "
            f"instance's: TIPLINE_ESCROW_PUBLIC_KEY={new_public.hex()} (embedded "
            f"default: write it to {settings.SECRETS_DIR / 'escrow_public_key'} and "
            "delete escrow_private_key there)."
        )

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
