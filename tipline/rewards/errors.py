"""Refusals of the reward programme: named by cause, shown to the user, audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from tipline.accounts.models import User
from tipline.audit import services as audit


class RewardRefused(Exception):
    """An attempt the rules do not allow; ``message`` says why, for the user, and
    ``cause`` names it in the audit log."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.message = message
        self.cause = cause


@contextmanager
def audited_refusal(*, action: str, actor: User | None, target: str) -> Iterator[None]:
    try:
        yield
    except RewardRefused as refused:
        with transaction.atomic():
            audit.record(
                action=action,
                actor=actor,
                target=target,
                detail={"refused": refused.cause},
            )
        raise
