"""Reads of the public face: the site settings and the guidance pages."""

from __future__ import annotations

from tipline.profiles.models import GuidancePage, GuidanceSlug, Profile, Site


def current_site() -> Site:
    """The one Site row, created with its defaults on first use."""
    site, _ = Site.objects.get_or_create(pk=1)
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
