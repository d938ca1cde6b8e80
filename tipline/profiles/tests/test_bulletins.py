"""The bulletin services and the public reads (issue 15, point 5): which states
the public sees, and when a scheduled bulletin becomes visible (no job needed)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tipline.lib.markdown import MAX_SOURCE_CHARS, SourceTooLong
from tipline.profiles import bulletins
from tipline.profiles.bulletins import BulletinText
from tipline.profiles.models import Bulletin

pytestmark = pytest.mark.django_db


def text(**changes) -> BulletinText:
    fields = {
        "language": "en",
        "slug": "fake-recruiters",
        "title": "Fake recruiters online",
        "summary": "How to tell a real job offer from an approach.",
        "body": "## What to look for\n\nAn offer that is *too good*.",
    }
    return BulletinText(**{**fields, **changes})


def public(profile, language="en", now=None):
    return list(
        bulletins.published_bulletins(profile=profile, language=language, now=now)
    )


def test_a_draft_is_never_public(profile):
    draft = bulletins.create_bulletin(profile=profile, text=text())

    assert draft.state == Bulletin.State.DRAFT
    assert draft.publish_at is None
    assert public(profile) == []
    found = bulletins.get_published_bulletin(
        profile=profile, slug="fake-recruiters", language="en"
    )
    assert found is None


def test_a_scheduled_bulletin_appears_when_its_time_passes(profile):
    now = timezone.now()
    at = now + timedelta(hours=2)
    bulletin = bulletins.create_bulletin(profile=profile, text=text())
    bulletins.schedule_bulletin(bulletin=bulletin, at=at, now=now)

    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.SCHEDULED
    assert bulletin.publish_at == at
    assert public(profile, now=now) == []
    assert public(profile, now=at - timedelta(seconds=1)) == []
    assert public(profile, now=at) == [bulletin]
    assert bulletins.is_visible(bulletin, now + timedelta(hours=3)) is True


def test_scheduling_in_the_past_is_refused_and_changes_nothing(profile):
    now = timezone.now()
    bulletin = bulletins.create_bulletin(profile=profile, text=text())

    with pytest.raises(bulletins.NotInFuture):
        bulletins.schedule_bulletin(bulletin=bulletin, at=now, now=now)

    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.DRAFT
    assert bulletin.publish_at is None


def test_publishing_and_unpublishing(profile):
    now = timezone.now()
    bulletin = bulletins.create_bulletin(profile=profile, text=text())
    bulletins.publish_bulletin(bulletin=bulletin, now=now)

    assert public(profile) == [bulletin]
    assert public(profile, language="zh-hans") == []
    bulletins.publish_bulletin(bulletin=bulletin, now=now + timedelta(days=1))
    bulletin.refresh_from_db()
    assert bulletin.publish_at == now  # a second click moves nothing

    bulletins.unpublish_bulletin(bulletin=bulletin)
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.DRAFT
    assert bulletin.publish_at is None
    assert public(profile) == []


def test_only_a_draft_can_be_deleted(profile):
    bulletin = bulletins.create_bulletin(profile=profile, text=text())
    bulletins.publish_bulletin(bulletin=bulletin)

    with pytest.raises(bulletins.NotADraft):
        bulletins.delete_bulletin(bulletin=bulletin)
    assert Bulletin.objects.filter(pk=bulletin.pk).exists() is True

    bulletins.unpublish_bulletin(bulletin=bulletin)
    bulletins.delete_bulletin(bulletin=bulletin)
    assert Bulletin.objects.filter(pk=bulletin.pk).exists() is False


def test_a_slug_is_unique_per_language(profile):
    bulletins.create_bulletin(profile=profile, text=text())

    with pytest.raises(bulletins.SlugTaken):
        bulletins.create_bulletin(profile=profile, text=text(title="Another"))
    with pytest.raises(bulletins.SlugTaken):
        bulletins.create_bulletin(profile=profile, text=text(slug="feed"))
    chinese = bulletins.create_bulletin(
        profile=profile, text=text(language="zh-hans", title="网上的假招聘")
    )

    assert chinese.slug == "fake-recruiters"
    assert Bulletin.objects.count() == 2


def test_hostile_or_oversize_text_is_refused_and_nothing_is_stored(profile):
    with pytest.raises(SourceTooLong):
        bulletins.create_bulletin(
            profile=profile, text=text(body="x" * (MAX_SOURCE_CHARS + 1))
        )
    with pytest.raises(bulletins.UnknownCategory):
        bulletins.create_bulletin(profile=profile, text=text(category_slug="nothing"))
    with pytest.raises(bulletins.TextOutOfBounds):
        bulletins.create_bulletin(profile=profile, text=text(title="   "))
    with pytest.raises(bulletins.TextOutOfBounds):
        bulletins.create_bulletin(profile=profile, text=text(summary="s" * 501))

    assert Bulletin.objects.count() == 0


def test_a_category_link_must_be_an_active_category_of_the_profile(profile):
    bulletin = bulletins.create_bulletin(
        profile=profile, text=text(category_slug="approach")
    )

    category = bulletins.report_category(bulletin)
    assert category is not None
    assert category.slug == "approach"
    assert category.get_absolute_url() == "/report/approach/"


def test_translations_share_a_group_and_unlinking_gives_a_new_one(profile):
    english = bulletins.create_bulletin(profile=profile, text=text())
    chinese = bulletins.create_bulletin(
        profile=profile,
        text=text(language="zh-hans", title="假招聘", translation_of=english),
    )
    bulletins.publish_bulletin(bulletin=english)

    assert chinese.group == english.group
    assert bulletins.translations_of(chinese) == [english]
    assert bulletins.translations_of(english) == []  # the Chinese one is a draft
    assert bulletins.translations_of(english, include_drafts=True) == [chinese]

    with pytest.raises(bulletins.NotATranslation):
        bulletins.update_bulletin(
            bulletin=chinese, text=text(language="en", slug="x", translation_of=english)
        )
    bulletins.update_bulletin(bulletin=chinese, text=text(language="zh-hans"))
    chinese.refresh_from_db()
    assert chinese.group != english.group


def test_the_newest_comes_first(profile):
    now = timezone.now()
    older = bulletins.create_bulletin(profile=profile, text=text(slug="older"))
    newer = bulletins.create_bulletin(profile=profile, text=text(slug="newer"))
    bulletins.publish_bulletin(bulletin=older, now=now - timedelta(days=2))
    bulletins.publish_bulletin(bulletin=newer, now=now - timedelta(days=1))

    assert public(profile) == [newer, older]
