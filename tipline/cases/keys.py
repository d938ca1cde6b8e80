"""Opening a case's data key: the one step every read or write of case content takes."""

from __future__ import annotations

from tipline import crypto
from tipline.accounts.models import User
from tipline.cases.models import Case, CaseKey


def data_key_for(*, case: Case, user: User, private_key: bytes) -> bytes:
    """Open the case's data key with the user's unlocked private key."""
    sealed = CaseKey.objects.get(case=case, user=user).sealed_key
    return crypto.open_as_staff(bytes(sealed), private_key)
