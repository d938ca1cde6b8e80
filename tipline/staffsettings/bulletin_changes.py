"""Every change to a bulletin, each with its audit entry in the same transaction:
the editor's views call these, never the profiles services directly, so no
change to a public page goes unrecorded (issue 15, point 5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from tipline.accounts.models import User
from tipline.audit import services as audit
from tipline.lib.pagecache import forget_pages
from tipline.profiles import bulletins
from tipline.profiles.bulletins import BulletinText
from tipline.profiles.models import Bulletin, Profile


@transaction.atomic
def create(*, user: User, profile: Profile, text: BulletinText) -> Bulletin:
    """A new draft (errors: as bulletins.create_bulletin)."""
    bulletin = bulletins.create_bulletin(profile=profile, text=text)
    # A draft is on no public page: nothing stored to forget.
    audit.record(
        action="bulletin.created",
        actor=user,
        target=_target(bulletin),
        detail=_of(bulletin),
    )
    return bulletin


@transaction.atomic
def update(*, user: User, bulletin: Bulletin, text: BulletinText) -> Bulletin:
    """New text for a bulletin, in whatever state it is."""
    bulletins.update_bulletin(bulletin=bulletin, text=text)
    _changed("bulletin.edited", user=user, bulletin=bulletin)
    return bulletin


@transaction.atomic
def publish(*, user: User, bulletin: Bulletin) -> Bulletin:
    bulletins.publish_bulletin(bulletin=bulletin)
    _changed("bulletin.published", user=user, bulletin=bulletin)
    return bulletin


@transaction.atomic
def schedule(*, user: User, bulletin: Bulletin, at: datetime) -> Bulletin:
    """Publish at ``at`` (raises bulletins.NotInFuture for a time gone by)."""
    bulletins.schedule_bulletin(bulletin=bulletin, at=at)
    detail = {**_of(bulletin), "publish_at": at.isoformat()}
    _changed("bulletin.scheduled", user=user, bulletin=bulletin, detail=detail)
    return bulletin


@transaction.atomic
def unpublish(*, user: User, bulletin: Bulletin) -> Bulletin:
    bulletins.unpublish_bulletin(bulletin=bulletin)
    _changed("bulletin.unpublished", user=user, bulletin=bulletin)
    return bulletin


@transaction.atomic
def delete(*, user: User, bulletin: Bulletin) -> None:
    """Delete a draft (raises bulletins.NotADraft for any other)."""
    target, detail = _target(bulletin), _of(bulletin)
    bulletins.delete_bulletin(bulletin=bulletin)
    forget_pages()
    audit.record(action="bulletin.deleted", actor=user, target=target, detail=detail)


def _changed(
    action: str,
    *,
    user: User,
    bulletin: Bulletin,
    detail: dict[str, Any] | None = None,
) -> None:
    """A public page may show the bulletin now or may have shown it: forget the
    stored pages, and record who did what."""
    forget_pages()
    audit.record(
        action=action,
        actor=user,
        target=_target(bulletin),
        detail=detail if detail is not None else _of(bulletin),
    )


def _target(bulletin: Bulletin) -> str:
    return f"bulletin:{bulletin.pk}"


def _of(bulletin: Bulletin) -> dict[str, Any]:
    # Public words only: the address and the state, so the log reads as a history.
    return {
        "language": bulletin.language,
        "slug": bulletin.slug,
        "state": bulletin.state,
    }
