"""Reads for the public side."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404

from tipline.profiles.loader import category_cache_key, ensure_default_profile
from tipline.profiles.models import Category

# Categories change only when an administrator loads a profile; each web process
# may serve one up to this many seconds old. It saves the most expensive query of
# every submission (bench/submissions.py).
CATEGORY_CACHE_SECONDS = 10


def get_active_category(slug: str) -> Category:
    """Category ``slug`` of the active profile, with its profile and routing rule
    loaded; Http404 if there is none."""
    limit = Category._meta.get_field("slug").max_length
    if limit is not None and len(slug) > limit:
        # No such category; and a key this long is refused by some cache backends.
        raise Http404
    key = category_cache_key(slug)
    category: Category | None = cache.get(key)
    if category is None:
        category = _load_category(slug)
        cache.set(key, category, CATEGORY_CACHE_SECONDS)
    return category


def _load_category(slug: str) -> Category:
    for _attempt in range(2):
        category = (
            Category.objects.select_related("profile", "route__team")
            .filter(slug=slug, active=True, profile__active=True)
            .first()
        )
        if category is not None:
            return category
        # On the very first request no profile may be loaded yet.
        ensure_default_profile()
    raise Http404
