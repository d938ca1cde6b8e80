"""Changes administrators make on the settings pages that are not another app's
own service: the guidance pages (issue 15, point 1). The settings page and any
command call these, so every change is audited the same way."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tipline.accounts.models import User
from tipline.audit import services as audit
from tipline.lib.markdown import render
from tipline.profiles.loader import default_guidance
from tipline.profiles.models import GuidancePage

LANGUAGES = tuple(code for code, _ in settings.LANGUAGES)


class NoDefaultGuidance(LookupError):
    """The profile ships no default text for this guidance page."""


def _target(page: GuidancePage) -> str:
    return f"guidance:{page.profile.slug}/{page.slug}"


def _changes(
    page: GuidancePage, title: dict[str, str], body: dict[str, str]
) -> list[str]:
    return [
        f"{part}.{code}"
        for part, old, new in (("title", page.title, title), ("body", page.body, body))
        for code in LANGUAGES
        if old.get(code, "") != new[code]
    ]


@transaction.atomic
def edit_guidance_page(
    *, user: User, page: GuidancePage, title: dict[str, str], body: dict[str, str]
) -> list[str]:
    """Store an administrator's title and Markdown body of ``page`` in every
    language, mark it edited (loading the profile again keeps it) and audit who
    changed which parts. Returns those parts ("body.en", …), none when nothing
    changed.

    Raises SourceTooLong (tipline.lib.markdown) for a body too long to publish,
    before anything is stored."""
    for code in LANGUAGES:
        render(body[code])
    changed = _changes(page, title, body)
    if not changed:
        return []
    page.title = {code: title[code] for code in LANGUAGES}
    page.body = {code: body[code] for code in LANGUAGES}
    page.edited = True
    page.updated_at = timezone.now()
    page.save()
    audit.record(
        action="settings.guidance",
        actor=user,
        target=_target(page),
        detail={"changed": changed},
    )
    return changed


@transaction.atomic
def restore_guidance_page(*, user: User, page: GuidancePage) -> GuidancePage:
    """Put the profile's shipped text back on ``page`` and mark it not edited, so
    loading the profile again updates it. Raises NoDefaultGuidance when the
    profile ships none."""
    default = default_guidance(page.profile.slug, page.profile.slug).get(page.slug)
    if default is None:
        raise NoDefaultGuidance(page.slug)
    page.title = default["title"]
    page.body = default["body"]
    page.edited = False
    page.updated_at = timezone.now()
    page.save()
    audit.record(action="settings.guidance_restored", actor=user, target=_target(page))
    return page
