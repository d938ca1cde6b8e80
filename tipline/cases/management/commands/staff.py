from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.accounts.models import Role, Team, User
from tipline.cases import offboarding, recovery
from tipline.cases.models import CaseKey

# In `cases`, not `accounts`: it calls tipline.cases.offboarding, and accounts sits
# below cases in DESIGN.md's layers.


class Command(BaseCommand):
    help = (
        "Change a staff member's team, role or whether they can sign in. Each "
        "change takes effect at once: the case keys the old team or role gave are "
        "removed, every session is ended, and each step is audited. Explicit grants "
        "are kept and listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        move = sub.add_parser(
            "move", help="put a staff member in another team (or none), with a role"
        )
        move.add_argument("username")
        where = move.add_mutually_exclusive_group(required=True)
        where.add_argument("--team", metavar="SLUG", help="an existing team")
        where.add_argument("--no-team", action="store_true", help="leave every team")
        move.add_argument("--role", choices=Role.values, help="default: unchanged")
        role = sub.add_parser("role", help="change a staff member's role")
        role.add_argument("username")
        role.add_argument("role", choices=Role.values)
        for name, text in (
            ("deactivate", "stop a staff member signing in, at once"),
            ("reactivate", "let a deactivated staff member sign in again"),
            ("grants", "list the case keys a staff member holds beyond their team"),
        ):
            sub.add_parser(name, help=text).add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = _user(options["username"])
        action = options["action"]
        if action == "grants":
            self._list_grants(offboarding.explicit_grants(user), user)
            return
        try:
            if action == "move":
                team = None if options["no_team"] else _team(options["team"])
                role = Role(options["role"]) if options["role"] else None
                done = offboarding.move_user(
                    user=user, team=team, role=role, actor=None
                )
            elif action == "role":
                done = offboarding.move_user(
                    user=user, team=user.team, role=Role(options["role"]), actor=None
                )
            elif action == "deactivate":
                done = offboarding.deactivate_user(user=user, actor=None)
            else:
                done = offboarding.reactivate_user(user=user, actor=None)
        except offboarding.UserStateUnchanged as exc:
            raise CommandError(str(exc)) from None
        self._report(done.user, done)

    def _report(self, user: User, done: offboarding.Offboarded) -> None:
        name = user.get_username()
        if not done.changed:
            self.stdout.write(f"{name}: nothing to change.")
            return
        self.stdout.write(
            f"{name}: changed {', '.join(done.changed)}; removed "
            f"{done.case_keys_removed} case key(s) and {done.original_keys_removed} "
            f"original file key(s); ended {done.sessions_ended} session(s)."
        )
        self._list_grants(done.grants_kept, user)
        if "team" in done.changed or (user.is_active and done.changed == ["active"]):
            self.stdout.write(
                "Earlier cases of their team are not given: a supervisor grants "
                "each on its case page, or `tipline escrow grant` re-seals them "
                "with the escrow key."
            )
        self.stdout.write("What was already read or downloaded cannot be taken back.")
        # The person who left may have been a case's last reader.
        for warning in recovery.gap_warnings(recovery.readability_gap()):
            self.stdout.write(f"WARNING: {warning}")

    def _list_grants(self, grants: list[CaseKey], user: User) -> None:
        name = user.get_username()
        if not grants:
            self.stdout.write(f"{name} holds no grant beyond their team.")
            return
        self.stdout.write(
            f"{name} keeps {len(grants)} grant(s) (a supervisor can take each away "
            "on the case page):"
        )
        for key in grants:
            by = (
                key.granted_by.get_username()
                if key.granted_by
                else "no supervisor (escrow, or a team left before)"
            )
            self.stdout.write(
                f"  case {key.case_id} (team {key.case.team.slug}), granted by {by}"
            )


def _user(username: str) -> User:
    user = User.objects.select_related("team").filter(username=username).first()
    if user is None:
        raise CommandError(f"No staff member is called {username!r}.")
    return user


def _team(slug: str) -> Team:
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise CommandError(
            f"No team {slug!r}. `tipline createuser` creates teams; or move to "
            "one that exists."
        )
    return team
