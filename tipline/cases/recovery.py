"""Reports no one can read, and giving them back to staff with the escrow key.

A report is sealed to the members of its team who hold a key *when it arrives*
(``services.seal_for_team``) and to the escrow key. One that arrives before the
team has such a member is sealed to the escrow key alone: no one on the staff can
ever open it, the inbox shows nothing and the reporter reads "not read yet" for
ever. This module makes that gap visible (start-up output, ``tipline check``, a
banner for administrators) and closes it: ``grant_with_escrow`` opens each case's
escrow copy of the data key with the escrow private key, which the operator brings
from its offline custody for the occasion, and seals it to named staff, audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from tipline import crypto
from tipline.accounts.models import NO_CASE_ACCESS, Team, User
from tipline.accounts.services import default_team
from tipline.audit import services as audit
from tipline.cases.models import Attachment, Case, CaseKey, CaseQuerySet
from tipline.triage.models import RoutingRule


class EscrowRefused(Exception):
    """The escrow operation cannot be done as asked; nothing was changed."""


@dataclass(frozen=True)
class ReadabilityGap:
    """How many cases no one can read, and which receiving teams no one could."""

    unreadable: int
    teams: list[Team]

    @property
    def team_names(self) -> str:
        return ", ".join(team.name for team in self.teams)

    @property
    def team_slugs(self) -> str:
        return ", ".join(team.slug for team in self.teams)


def unreadable_cases() -> CaseQuerySet:
    """Cases whose data key is sealed to no active staff member: only the escrow
    copy can open them (sealed before anyone had a key, or every reader left)."""
    return Case.objects.exclude(keys__user__is_active=True)


def teams_without_readers() -> list[Team]:
    """Teams that receive reports (by a routing rule, or the default team) with no
    active member holding a key: their new reports would be unreadable."""
    readers = User.objects.filter(
        team=OuterRef("pk"), is_active=True, public_key__isnull=False
    ).exclude(role__in=NO_CASE_ACCESS)
    # The default team receives every report no rule routes elsewhere, from the
    # first one on: it is counted (and so created) before any report arrives.
    receiving = Q(pk__in=RoutingRule.objects.values("team")) | Q(pk=default_team().pk)
    return list(
        Team.objects.filter(receiving).exclude(Exists(readers)).order_by("slug")
    )


def readability_gap() -> ReadabilityGap:
    return ReadabilityGap(
        unreadable=unreadable_cases().count(), teams=teams_without_readers()
    )


def gap_warnings(gap: ReadabilityGap) -> list[str]:
    """The gap in words for an operator's terminal (``tipline serve``)."""
    lines = []
    if gap.unreadable:
        lines.append(
            f"{gap.unreadable} report(s) can be read by no one: they are sealed "
            "only to the escrow key. Grant them to staff with `tipline escrow "
            "grant --to USER --unreadable --escrow-key-file PATH`."
        )
    for team in gap.teams:
        lines.append(
            f"Team {team.slug} receives reports but has no member with a key: "
            "its new reports can be read by no one. Add one with `tipline "
            f"createuser NAME --role analyst --team {team.slug}`."
        )
    return lines


@transaction.atomic
def grant_with_escrow(
    *, cases: list[Case], grantees: list[User], escrow_private_key: bytes
) -> list[tuple[Case, User]]:
    """Seal each case's data key, opened from its escrow copy, to each grantee who
    cannot read it yet; return the grants made. Each is audited.

    All or nothing: a grantee who cannot hold a key, or a case whose escrow copy
    this key does not open, refuses the whole grant before anything is stored.
    ``escrow_private_key`` is used only in memory and never stored.
    """
    for user in grantees:
        if not user.is_active:
            raise EscrowRefused(
                f"{user.get_username()} is deactivated; nothing was granted."
            )
        if not user.has_keys:
            raise EscrowRefused(
                f"{user.get_username()} has no key pair yet, so no case can be "
                "sealed to them; nothing was granted."
            )
    granted = []
    for case in cases:
        try:
            data_key = crypto.open_as_staff(bytes(case.escrow_key), escrow_private_key)
        except crypto.DecryptionFailed:
            raise EscrowRefused(
                f"The escrow key does not open case {case.pk}; nothing was granted."
            ) from None
        holders = set(CaseKey.objects.filter(case=case).values_list("user", flat=True))
        for user in grantees:
            if user.pk in holders:
                continue
            CaseKey.objects.create(
                case=case,
                user=user,
                sealed_key=crypto.seal_for_staff(data_key, user.public_key_bytes()),
            )
            audit.record(
                action="case.grant.escrow",
                actor=None,
                target=f"case:{case.pk}",
                detail={"user": user.pk, "username": user.get_username()},
            )
            granted.append((case, user))
    return granted


@dataclass(frozen=True)
class Rotated:
    cases: int
    users: int
    originals: int


@transaction.atomic
def rotate_escrow(*, old_private_key: bytes, new_public_key: bytes) -> Rotated:
    """Re-seal everything sealed to the escrow key to a new one, and audit it.

    For an escrow private key that leaked (the one once committed to the
    repository): every case's data key, every staff private key and every
    original's key is opened with the old private half and sealed to the new
    public half, in one transaction. A copy of the database taken *before* this
    stays readable to whoever holds the old key; one taken after does not.
    """

    def reseal(blob: bytes, what: str) -> bytes:
        try:
            plain = crypto.open_as_staff(bytes(blob), old_private_key)
        except crypto.DecryptionFailed:
            raise EscrowRefused(
                f"The escrow key does not open {what}; nothing was changed."
            ) from None
        return crypto.seal_for_staff(plain, new_public_key)

    def reseal_all(rows: QuerySet[Model], field: str, what: str) -> list[Model]:
        found = list(rows.filter(**{f"{field}__isnull": False}).only("pk", field))
        for row in found:
            sealed = reseal(getattr(row, field), f"{what} {row.pk}")
            setattr(row, field, sealed)
        if found:
            manager = type(found[0])._default_manager
            manager.bulk_update(found, [field], batch_size=500)
        return found

    cases = reseal_all(Case.objects.order_by("pk"), "escrow_key", "case")
    users = reseal_all(User.objects.all(), "private_key_escrowed", "the key of user")
    originals = reseal_all(
        Attachment.objects.all(), "original_escrow_key", "the original of attachment"
    )
    audit.record(
        action="escrow.rotated",
        actor=None,
        detail={
            "public_key": new_public_key.hex(),
            "cases": len(cases),
            "users": len(users),
            "originals": len(originals),
        },
    )
    return Rotated(cases=len(cases), users=len(users), originals=len(originals))
