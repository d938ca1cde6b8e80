"""Changes administrators make on the settings pages that no domain app below
owns: the guidance pages (issue 15, point 1) and the Site settings (points 9 and
10). The settings pages and any command call these, so every change is audited
the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tipline.accounts.models import User
from tipline.audit import services as audit
from tipline.lib.markdown import render
from tipline.lib.pagecache import forget_pages
from tipline.profiles.loader import default_guidance
from tipline.profiles.models import GuidancePage, Site

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
    forget_pages()
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
    forget_pages()
    audit.record(action="settings.guidance_restored", actor=user, target=_target(page))
    return page


IDENTITY_FIELDS = (
    "organisation_name",
    "colour_primary",
    "colour_header",
    "contact",
    "emergency",
    "quick_exit_url",
)
CHANNEL_FIELDS = (
    "web_address",
    "onion_address",
    "phone_lines",
    "postal_address",
    "in_person",
)


@dataclass(frozen=True)
class SiteIdentity:
    """What the header, the colours, the emergency line, the quick exit and the
    footer show. Texts are ``{"en": …, "zh-hans": …}`` without empty entries."""

    organisation_name: dict[str, str]
    colour_primary: str
    colour_header: str
    contact: dict[str, str]
    emergency: dict[str, str]
    quick_exit_url: str


@dataclass(frozen=True)
class SiteChannels:
    """The official addresses and the other ways to report."""

    web_address: str
    onion_address: str
    phone_lines: list[dict[str, Any]]
    postal_address: dict[str, str]
    in_person: dict[str, str]


@transaction.atomic
def set_site_identity(*, user: User, identity: SiteIdentity) -> list[str]:
    """Store the identity; returns the names of the fields that changed (none
    changed: nothing is written or audited)."""
    return _update(user, "site:identity", vars(identity))


@transaction.atomic
def set_site_channels(*, user: User, channels: SiteChannels) -> list[str]:
    """Store the official addresses and channels; returns the changed fields."""
    return _update(user, "site:channels", vars(channels))


@transaction.atomic
def set_site_logo(
    *, user: User, png: bytes | None, alt: dict[str, str], remove: bool = False
) -> list[str]:
    """Store a new logo (``png``, already re-encoded by
    tipline.profiles.branding.reencode_logo), keep the current one (``None``),
    or remove it; and its alternative text. Returns the changed fields."""
    values: dict[str, Any] = {"logo_alt": alt}
    if remove:
        values["logo_png"] = None
    elif png is not None:
        values["logo_png"] = png
    size = len(png) if png is not None and not remove else 0
    return _update(user, "site:logo", values, logo_bytes=size)


def _update(
    user: User, target: str, values: dict[str, Any], *, logo_bytes: int = 0
) -> list[str]:
    site = _locked_site()
    changed = [
        name
        for name, value in values.items()
        if _stored(getattr(site, name)) != _stored(value)
    ]
    if not changed:
        return []
    for name in changed:
        setattr(site, name, values[name])
    site.updated_at = timezone.now()
    site.save()
    forget_pages()
    # The names only: the values are public, and stay readable on the page; of
    # a new logo, its size.
    detail: dict[str, Any] = {"changed": changed}
    if "logo_png" in changed:
        detail["logo_bytes"] = logo_bytes
    audit.record(action="settings.site", actor=user, target=target, detail=detail)
    return changed


def _locked_site() -> Site:
    Site.objects.get_or_create(pk=1)
    return Site.objects.select_for_update().get(pk=1)


def _stored(value: object) -> object:
    return bytes(value) if isinstance(value, memoryview) else value
