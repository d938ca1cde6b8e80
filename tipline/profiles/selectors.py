"""Reads of the public face: the site settings and the guidance pages."""

from __future__ import annotations

from datetime import datetime

from django.db import DatabaseError
from django.db.models import BooleanField, ExpressionWrapper, Q

from tipline.profiles.models import GuidancePage, GuidanceSlug, Profile, Site

# The Site row as last read by this process, and the updated_at it was read at.
# Every public page shows it, so a page costs one indexed read of updated_at
# instead of the whole row; a change saved by any process moves updated_at, and
# the next page of every process reads the row again. So every write of the row
# sets updated_at (tipline.staffsettings.services does).
_cache: dict[str, tuple[datetime | None, Site]] = {}


def current_site() -> Site:
    """The one Site row (its defaults, unsaved, before an administrator saved
    it), read at most once per change in each process. Treat it as read-only:
    it is shared by every request of the process. The logo's bytes are not
    loaded (``has_logo`` says whether there is one): ``site_logo()`` reads them."""
    stamps = list(Site.objects.filter(pk=1).values_list("updated_at", flat=True))
    version = stamps[0] if stamps else None
    held = _cache.get("site")
    if held is not None and held[0] == version and (held[1].pk is None) == (not stamps):
        return held[1]
    site = (
        Site.objects.defer("logo_png")
        .annotate(
            has_logo=ExpressionWrapper(
                Q(logo_png__isnull=False), output_field=BooleanField()
            )
        )
        .filter(pk=1)
        .first()
    ) or Site()
    _cache["site"] = (site.updated_at, site)  # one assignment: thread-safe
    return site


def guidance_pages(profile: Profile) -> list[GuidancePage]:
    """Every guidance page of ``profile``, in the help index's order. A page the
    profile ships no text for is an unsaved one with its default title and no
    body, so that its address and its live parts still work."""
    stored = {page.slug: page for page in profile.guidance_pages.all()}
    return [
        stored.get(slug)
        or GuidancePage(
            profile=profile, slug=slug, position=position, title={}, body={}
        )
        for position, slug in enumerate(GuidanceSlug.values)
    ]


def guidance_page(profile: Profile, slug: str) -> GuidancePage:
    """The guidance page ``slug`` of ``profile`` (unsaved and empty when the
    profile ships none); ``slug`` must be one of GuidanceSlug."""
    (page,) = (page for page in guidance_pages(profile) if page.slug == slug)
    return page


def site_or_defaults() -> Site:
    """``current_site()``, or the defaults when the database cannot be read (an
    error page must still render)."""
    try:
        return current_site()
    except DatabaseError:
        return Site()


def site_logo() -> tuple[bytes, datetime | None] | None:
    """The logo's PNG bytes and the time the settings were saved, or None."""
    row = Site.objects.filter(pk=1).values_list("logo_png", "updated_at").first()
    if row is None or not row[0]:
        return None
    return bytes(row[0]), row[1]
