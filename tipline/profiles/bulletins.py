"""Bulletins: the services that write them and the selectors that read them
(issue 15, point 5).

Who may call the services (communications staff and administrators) and the
audit entry of each change are the editor's business
(``tipline.staffsettings.bulletins``): this package sits below accounts and
audit. Public pages read only through ``published_bulletins`` and
``get_published_bulletin``, which let nothing through that is a draft or not due.

A scheduled bulletin needs no background job: the reads compare ``publish_at``
with the time of the request, so it appears on the first request after it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from tipline.lib.markdown import render
from tipline.profiles.models import Bulletin, Category, Profile

# The form's bounds, kept here so the services enforce them for every caller.
MAX_TITLE = 200
MAX_SUMMARY = 500
FEED_ENTRIES = 20
# Paths under /news/ that are not bulletins.
RESERVED_SLUGS = frozenset({"feed"})


class TextOutOfBounds(ValueError):
    """A title or summary is empty or longer than its bound."""


class SlugTaken(Exception):
    """Another bulletin in the same language has this slug."""


class UnknownCategory(Exception):
    """The profile has no active category with this slug."""


class NotInFuture(Exception):
    """A bulletin can be scheduled only for a time still to come."""


class NotADraft(Exception):
    """Only a draft can be deleted: a published one is unpublished first."""


class NotATranslation(Exception):
    """The bulletin to link as a translation is in the same language, or another
    profile's."""


@dataclass(frozen=True)
class BulletinText:
    """What an editor writes: the article in one language."""

    language: str
    slug: str
    title: str
    summary: str
    body: str
    category_slug: str = ""
    translation_of: Bulletin | None = None


# --- Services ----------------------------------------------------------------


@transaction.atomic
def create_bulletin(
    *, profile: Profile, text: BulletinText, now: datetime | None = None
) -> Bulletin:
    """A new draft of ``text`` in ``profile``. Raises SlugTaken, UnknownCategory,
    NotATranslation, TextOutOfBounds or SourceTooLong (tipline.lib.markdown),
    and stores nothing then."""
    now = now or timezone.now()
    bulletin = Bulletin(profile=profile, created_at=now)
    _apply(bulletin, text, now)
    bulletin.save()
    return bulletin


@transaction.atomic
def update_bulletin(
    *, bulletin: Bulletin, text: BulletinText, now: datetime | None = None
) -> Bulletin:
    """Replace the bulletin's text, keeping its state (a published bulletin
    changes on the public pages at once). Raises as create_bulletin does."""
    was_linked = _shares_group(bulletin)
    _apply(bulletin, text, now or timezone.now())
    if text.translation_of is None and was_linked:
        bulletin.group = uuid.uuid4()
    bulletin.save()
    return bulletin


@transaction.atomic
def publish_bulletin(*, bulletin: Bulletin, now: datetime | None = None) -> Bulletin:
    """Publish at once (a scheduled one too, ahead of its time). Publishing one
    already published (a second tab, a double click) keeps its date."""
    now = now or timezone.now()
    if bulletin.state == Bulletin.State.PUBLISHED:
        return bulletin
    _set_state(bulletin, Bulletin.State.PUBLISHED, now, now)
    return bulletin


@transaction.atomic
def schedule_bulletin(
    *, bulletin: Bulletin, at: datetime, now: datetime | None = None
) -> Bulletin:
    """Publish at ``at``; raises NotInFuture unless ``at`` is after ``now``."""
    now = now or timezone.now()
    if at <= now:
        raise NotInFuture(at)
    _set_state(bulletin, Bulletin.State.SCHEDULED, at, now)
    return bulletin


@transaction.atomic
def unpublish_bulletin(*, bulletin: Bulletin, now: datetime | None = None) -> Bulletin:
    """Back to a draft: off the list, the detail page and the feed at once."""
    _set_state(bulletin, Bulletin.State.DRAFT, None, now or timezone.now())
    return bulletin


@transaction.atomic
def delete_bulletin(*, bulletin: Bulletin) -> None:
    """Delete a draft; raises NotADraft for one that is published or scheduled,
    so nothing disappears from the public pages by a slip."""
    if bulletin.state != Bulletin.State.DRAFT:
        raise NotADraft(bulletin.pk)
    bulletin.delete()


def _apply(bulletin: Bulletin, text: BulletinText, now: datetime) -> None:
    render(text.body)  # raises SourceTooLong before anything is stored
    if not text.title.strip() or len(text.title) > MAX_TITLE:
        raise TextOutOfBounds("title")
    if not text.summary.strip() or len(text.summary) > MAX_SUMMARY:
        raise TextOutOfBounds("summary")
    taken = Bulletin.objects.filter(language=text.language, slug=text.slug)
    if text.slug in RESERVED_SLUGS or taken.exclude(pk=bulletin.pk).exists():
        raise SlugTaken(text.slug)
    if text.category_slug and not report_categories(bulletin.profile).filter(
        slug=text.category_slug
    ):
        raise UnknownCategory(text.category_slug)
    if text.translation_of is not None:
        other = text.translation_of
        if other.language == text.language or other.profile_id != bulletin.profile_id:
            raise NotATranslation(other.pk)
        bulletin.group = other.group
    bulletin.language, bulletin.slug = text.language, text.slug
    bulletin.title, bulletin.summary = text.title.strip(), text.summary.strip()
    bulletin.body, bulletin.category_slug = text.body, text.category_slug
    bulletin.updated_at = now


def _set_state(
    bulletin: Bulletin, state: str, publish_at: datetime | None, now: datetime
) -> None:
    bulletin.state, bulletin.publish_at, bulletin.updated_at = state, publish_at, now
    bulletin.save(update_fields=["state", "publish_at", "updated_at"])


def _shares_group(bulletin: Bulletin) -> bool:
    if bulletin.pk is None:
        return False
    others = Bulletin.objects.filter(group=bulletin.group).exclude(pk=bulletin.pk)
    return others.exists()


# --- Selectors -----------------------------------------------------------------


def visible(now: datetime | None = None) -> Q:
    """Published, or scheduled for a time that has passed."""
    return Q(
        state__in=(Bulletin.State.PUBLISHED, Bulletin.State.SCHEDULED),
        publish_at__lte=now or timezone.now(),
    )


def is_visible(bulletin: Bulletin, now: datetime | None = None) -> bool:
    return (
        bulletin.state != Bulletin.State.DRAFT
        and bulletin.publish_at is not None
        and bulletin.publish_at <= (now or timezone.now())
    )


def published_bulletins(
    *, profile: Profile, language: str, now: datetime | None = None
) -> QuerySet[Bulletin]:
    """The public's bulletins in ``language``, newest first."""
    return Bulletin.objects.filter(
        visible(now), profile=profile, language=language
    ).order_by("-publish_at", "-pk")


def get_published_bulletin(
    *, profile: Profile, slug: str, language: str, now: datetime | None = None
) -> Bulletin | None:
    """The public bulletin at ``slug``: the one in ``language`` if there is one,
    else one in another language (a feed's link, followed by a reader whose
    browser prefers another language). None for drafts and bulletins not due, so
    a guessed slug learns nothing."""
    found = Bulletin.objects.filter(visible(now), profile=profile, slug=slug)
    return found.filter(language=language).first() or found.first()


def translations_of(
    bulletin: Bulletin, now: datetime | None = None, *, include_drafts: bool = False
) -> list[Bulletin]:
    """The public translations of ``bulletin`` (the same group, other languages),
    or for the editor every one, whatever its state."""
    found = Bulletin.objects.filter(group=bulletin.group).exclude(pk=bulletin.pk)
    if not include_drafts:
        found = found.filter(visible(now))
    return list(found.order_by("language"))


def bulletins_for_editor(profile: Profile) -> QuerySet[Bulletin]:
    """Every bulletin of ``profile``, whatever its state, last changed first."""
    return Bulletin.objects.filter(profile=profile).order_by("-updated_at", "-pk")


def report_categories(profile: Profile) -> QuerySet[Category]:
    """The categories a bulletin may link to: the profile's active ones."""
    return Category.objects.filter(profile=profile, active=True)


def report_category(bulletin: Bulletin) -> Category | None:
    """The category whose report form the bulletin links to, if it still exists."""
    if not bulletin.category_slug:
        return None
    return (
        report_categories(bulletin.profile).filter(slug=bulletin.category_slug).first()
    )


def body_html(bulletin: Bulletin) -> SafeString:
    """The sanitised HTML of the bulletin's body."""
    return render(bulletin.body)
