"""Opening a case's data key: the one step every read or write of case content takes."""

from __future__ import annotations

from django.db.models import F, Q

from tipline import crypto
from tipline.accounts.models import User
from tipline.cases.models import Case, CaseKey


def data_key_for(*, case: Case, user: User, private_key: bytes) -> bytes:
    """Open the case's data key with the user's unlocked private key."""
    sealed = CaseKey.objects.get(case=case, user=user).sealed_key
    return crypto.open_as_staff(bytes(sealed), private_key)


def held_beyond_membership() -> Q:
    """CaseKey rows not held as a member of the case's team: a supervisor's grant,
    an escrow grant to someone outside the team, or a key kept by someone since
    moved. These are what the case page lists as grants and lets a supervisor
    take away; a team member's own copy (sealed at intake) is neither."""
    return (
        Q(granted_by__isnull=False)
        | Q(user__team__isnull=True)
        | ~Q(user__team_id=F("case__team_id"))
    )
