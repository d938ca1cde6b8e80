"""/news/: the published bulletins in the reader's language, one page each, and
the way to their feed (issue 15, point 5). Drafts and bulletins not yet due are
a 404 to everyone here, whoever guesses their address."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from tipline.lib.http import query_without_page
from tipline.lib.pagecache import shared_page
from tipline.profiles import bulletins
from tipline.profiles.loader import ensure_default_profile

PAGE_SIZE = 10


def current_language() -> str:
    return (get_language() or "en").lower()


@shared_page
@require_http_methods(["GET"])
def news(request: HttpRequest) -> HttpResponse:
    published = bulletins.published_bulletins(
        profile=ensure_default_profile(), language=current_language()
    )
    page = Paginator(published, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query_without_page(request)}
    return render(request, "outreach/news.html", context)


@shared_page
@require_http_methods(["GET"])
def bulletin(request: HttpRequest, slug: str) -> HttpResponse:
    # ?in= picks the article's language where both have this slug (the links
    # of the feed and of "Also in"); otherwise the reader's language first.
    language = request.GET.get("in", "")
    if language not in dict(settings.LANGUAGES):
        language = current_language()
    found = bulletins.get_published_bulletin(
        profile=ensure_default_profile(), slug=slug, language=language
    )
    if found is None:
        raise Http404
    context = {
        "bulletin": found,
        "body": bulletins.body_html(found),
        "category": bulletins.report_category(found),
        "translations": bulletins.translations_of(found),
    }
    return render(request, "outreach/bulletin.html", context)


@require_http_methods(["GET"])
def feed_here(request: HttpRequest) -> HttpResponse:
    """/news/feed/: the feed in the reader's language (each language has its own,
    so that a feed's language matches its entries)."""
    return redirect("outreach:bulletin_feed", language=current_language())
