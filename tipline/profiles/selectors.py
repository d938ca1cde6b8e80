"""Reads of the public face: the site settings."""

from __future__ import annotations

from tipline.profiles.models import Site


def current_site() -> Site:
    """The one Site row, created with its defaults on first use."""
    site, _ = Site.objects.get_or_create(pk=1)
    return site
