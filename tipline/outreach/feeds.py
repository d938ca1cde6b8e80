"""The bulletins' Atom feed, one per language (issue 15, point 5).

Built with Django's syndication framework. Each entry's title and summary are
plain text (the XML writer escapes them, and the summary is marked
``type="text"`` so a feed reader never treats it as markup); its content is the
body as the public page shows it, sanitised by ``tipline.lib.markdown``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from tipline.profiles import bulletins
from tipline.profiles.loader import ensure_default_profile, public_text
from tipline.profiles.models import Bulletin


class BulletinAtomFeed(Atom1Feed):
    """Atom with a plain-text summary and the article as HTML content."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        # Django writes the summary as type="html"; a summary is plain text.
        super().add_item_elements(handler, {**item, "description": None})
        handler.addQuickElement("summary", item["description"], {"type": "text"})
        handler.addQuickElement("content", item["content"], {"type": "html"})


# Feed is generic only in django-stubs: Feed[...] would fail at run time.
class BulletinFeed(Feed):  # type: ignore[type-arg]
    feed_type = BulletinAtomFeed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = kwargs["language"]
        if language not in dict(settings.LANGUAGES):
            raise Http404
        # The feed's words and its xml:lang follow its entries' language, not
        # the reader's cookie.
        with translation.override(language):
            response: HttpResponse = super().__call__(request, *args, **kwargs)
        return response

    def get_object(self, request: HttpRequest, language: str) -> str:
        return language

    def title(self, language: str) -> str:
        site_name = public_text(ensure_default_profile(), "site_name")
        return f"{site_name}: {gettext('News')}"

    def link(self, language: str) -> str:
        return reverse("outreach:news")

    def items(self, language: str) -> QuerySet[Bulletin]:
        return bulletins.published_bulletins(
            profile=ensure_default_profile(), language=language
        )[: bulletins.FEED_ENTRIES]

    def item_title(self, item: Bulletin) -> str:
        # Plain text; the XML writer escapes it (Django's default would escape
        # it twice, for feeds whose titles are HTML).
        return item.title

    def item_link(self, item: Bulletin) -> str:
        return f"{item.get_absolute_url()}?in={item.language}"

    def item_description(self, item: Bulletin) -> str:
        return item.summary

    def item_pubdate(self, item: Bulletin) -> datetime | None:
        return item.publish_at

    def item_updateddate(self, item: Bulletin) -> datetime:
        return max(item.updated_at, item.publish_at or item.updated_at)

    def item_extra_kwargs(self, item: Bulletin) -> dict[str, Any]:
        return {"content": str(bulletins.body_html(item))}


bulletin_feed = BulletinFeed()
