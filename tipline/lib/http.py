"""Small helpers for views."""

from __future__ import annotations

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without ``page``: what a pager link keeps."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
