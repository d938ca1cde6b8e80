"""Off-boarding: moving staff between teams, changing roles, deactivating.

The one service for every change of who a staff member is (issue 12, point 4);
the ``tipline staff`` command calls it, and so must a staff-management page.
It lives in ``cases`` rather than ``accounts`` because it removes case keys, and
``accounts`` sits below ``cases`` in DESIGN.md's layers: this module changes the
account through ``tipline.accounts.services`` and removes the keys itself, in one
transaction, so an account is never left changed with its old keys in place.

What each change takes away, at once:

- **Leaving a team** (a move, or no team): every copy of a case's data key that
  came with membership, i.e. sealed to the user at intake for a case of the team
  left (``CaseKey.granted_by`` empty), and the keys to that team's unscrubbed
  originals. Explicit grants (a supervisor's, or the escrow grant to someone
  outside the case's team) are kept and listed; a supervisor removes them on the
  case page (``workflow.revoke_access``).
- **No longer a supervisor**: the keys to unscrubbed originals (only a team's
  supervisors are given them).
- **Deactivation**: the membership keys of the user's team and every original's
  key; explicit grants are kept (listed), unusable while the account is inactive.
- **Every change**: every session of the user, so a change takes effect on the
  next request and an old cookie never works again, even after reactivation.

Nothing is given: a user who joins a team can read its cases that arrive from
then on; its earlier cases only once a supervisor grants them
(``workflow.grant_access``, one case at a time on the case page) or an
administrator re-seals them with the escrow key (``tipline escrow grant``). What
the user already read or downloaded cannot be taken back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from tipline.accounts import services as accounts
from tipline.accounts.models import Role, Team, User
from tipline.audit import services as audit
from tipline.cases.keys import held_beyond_membership
from tipline.cases.models import Case, CaseKey, OriginalKey


@dataclass(frozen=True)
class Offboarded:
    """What one change took away and what it left; ``user`` as it is now."""

    user: User
    changed: list[str]
    case_keys_removed: int
    original_keys_removed: int
    sessions_ended: int
    grants_kept: list[CaseKey]


@transaction.atomic
def move_user(
    *, user: User, team: Team | None, role: Role | None = None, actor: User | None
) -> Offboarded:
    """Put ``user`` in ``team`` (None: no team) with ``role`` (None: unchanged),
    removing what the old team or role gave, and ending every session."""
    user = _locked(user)
    old_team, old_role = user.team, Role(user.role)
    changed = accounts.change_membership(
        user=user, team=team, role=role or old_role, actor=actor
    )
    case_keys = originals = 0
    if "team" in changed and old_team is not None:
        case_keys = _remove_membership_keys(user, old_team, actor)
    if old_role == Role.SUPERVISOR and user.role != Role.SUPERVISOR:
        originals = _remove_original_keys(user, None, actor)
    elif "team" in changed and old_team is not None:
        originals = _remove_original_keys(user, old_team, actor)
    return _finish(user, changed, case_keys, originals, actor)


@transaction.atomic
def deactivate_user(*, user: User, actor: User | None) -> Offboarded:
    """Deactivate ``user``: no sign-in, no session, no membership keys."""
    user = _locked(user)
    if not user.is_active:
        raise UserStateUnchanged(f"{user.get_username()} is deactivated already.")
    accounts.set_active(user=user, active=False, actor=actor)
    case_keys = (
        _remove_membership_keys(user, user.team, actor) if user.team is not None else 0
    )
    originals = _remove_original_keys(user, None, actor)
    return _finish(user, ["active"], case_keys, originals, actor)


@transaction.atomic
def reactivate_user(*, user: User, actor: User | None) -> Offboarded:
    """Let ``user`` sign in again. Sessions are ended first, so no cookie from
    before (nor one from a sign-in that raced the deactivation) works; no key
    comes back (see the module docstring for how access is given again)."""
    user = _locked(user)
    if user.is_active:
        raise UserStateUnchanged(f"{user.get_username()} is active already.")
    accounts.set_active(user=user, active=True, actor=actor)
    return _finish(user, ["active"], 0, 0, actor)


def _locked(user: User) -> User:
    """The user's row, locked until the change commits, so two administrators
    changing the same person cannot interleave."""
    return (
        User.objects.select_for_update(of=("self",))
        .select_related("team")
        .get(pk=user.pk)
    )


class UserStateUnchanged(Exception):
    """The account is in the asked state already; nothing was changed."""


def explicit_grants(user: User) -> list[CaseKey]:
    """The case keys ``user`` holds other than by membership of their team: a
    supervisor's grants, escrow grants outside the team, oldest case first."""
    return list(
        CaseKey.objects.filter(held_beyond_membership(), user=user)
        .select_related("case__team", "granted_by")
        .order_by("case_id")
    )


def _remove_membership_keys(user: User, team: Team, actor: User | None) -> int:
    """Delete the keys sealed to ``user`` for being in ``team``; one audit entry
    per case, so each case's history says who lost access and when."""
    keys = CaseKey.objects.filter(user=user, granted_by__isnull=True, case__team=team)
    case_ids = list(keys.values_list("case_id", flat=True).order_by("case_id"))
    # Only readers can be assignees (workflow.assign_case): the cases left behind
    # are nobody's until someone takes them.
    unassigned = set(keys.filter(case__assignee=user).values_list("case_id", flat=True))
    keys.delete()
    Case.objects.filter(pk__in=unassigned).update(
        assignee=None, version=F("version") + 1
    )
    for case_id in case_ids:
        audit.record(
            action="case.access.removed",
            actor=actor,
            target=f"case:{case_id}",
            detail={
                "user": user.pk,
                "team": team.slug,
                "unassigned": case_id in unassigned,
            },
        )
    return len(case_ids)


def _remove_original_keys(user: User, team: Team | None, actor: User | None) -> int:
    """Delete the user's keys to unscrubbed originals (of ``team``'s cases, or
    all of them for None); audited once, with the count."""
    keys = OriginalKey.objects.filter(user=user)
    if team is not None:
        keys = keys.filter(attachment__report__case__team=team)
    removed, _rows = keys.delete()
    if removed:
        audit.record(
            action="user.originals.removed",
            actor=actor,
            target=f"user:{user.pk}",
            detail={"originals": removed, "team": team.slug if team else None},
        )
    return removed


def _finish(
    user: User, changed: list[str], case_keys: int, originals: int, actor: User | None
) -> Offboarded:
    sessions = accounts.end_sessions(user=user, actor=actor) if changed else 0
    return Offboarded(
        user=user,
        changed=changed,
        case_keys_removed=case_keys,
        original_keys_removed=originals,
        sessions_ended=sessions,
        grants_kept=explicit_grants(user),
    )
