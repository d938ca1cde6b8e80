"""Public pages that are the same for every first-time visitor, rendered once
(issue 15, speed).

A page costs a static file's time only if it skips the middleware stack, the
database and the template engine. ``SharedPageMiddleware`` sits before the
session, CSRF and auth middleware: a GET from a visitor without a session,
messages, draft or any other cookie but the language and CSRF ones is answered
from Django's cache when a view opted in with ``@shared_page``. Everything else
takes the normal path, and so does every miss, whose response is then stored if

- its status is 200 and it sets no cookie but the CSRF one,
- it carries at most one CSRF token, and no other per-request value except
  those its view named with ``fresh_value`` (the report form's token).

Those values are cut out when it is stored and made anew for each visitor who
gets the stored copy: a CSRF token from the visitor's own cookie (or a new one,
sent as Django sends it) and a new form token. No visitor ever receives another
visitor's token, message or cookie.

Keys: the path and query string, the scheme and host, the language Django's
LocaleMiddleware will choose, the values of ``PAGE_CACHE_VARIES_ON`` (the report
form's proof-of-work difficulty during a flood) and a content version that
``forget_pages`` replaces. With the default cache (locmem, one per process) an
edit shows at once in the process that made it and within
``PAGE_CACHE_SECONDS`` in the others; a shared cache shows it everywhere at once
(docs/deployment.md).
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware, get_token
from django.utils.html import escape
from django.utils.module_loading import import_string
from django.utils.translation import get_language_from_request

from tipline.lib.tokens import new_form_token

View = TypeVar("View", bound=Callable[..., HttpResponse])
# request.META flags: set by @shared_page (base.html then shows the language
# switch as links, not as a form with a token), and by fresh_value.
SHARED = "TIPLINE_SHARED_PAGE"
FRESH = "tipline.page.fresh"
VERSION_KEY = "tipline:pages:version"
# The content version lives in its own cache, shared by every web process of the
# machine (a file in the data directory by default: settings.CACHES), so that an
# edit in one process reaches pages stored by all of them at once; the pages
# themselves stay in each process's memory.
VERSIONS = "page-versions"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
# What must never be left in a stored page: anything shaped like a masked CSRF
# token (checked against this visitor's secret), and any signed value (a form
# token, tipline.lib.tokens) that its view did not name with fresh_value.
MASKED_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
SIGNED = re.compile(rb"[A-Za-z0-9_=-]{20,}:[0-9A-Za-z]{4,}:[A-Za-z0-9_-]{40,}")
CSRF = "csrf"


@dataclass(frozen=True)
class Stored:
    status: int
    headers: tuple[tuple[str, str], ...]
    # Bytes as sent, and between them the name of a value made for each visitor:
    # "csrf", or "form:<purpose>" for a form token.
    parts: tuple[bytes | str, ...]


def shared_page(view: View) -> View:
    """Opt a view in: its GETs by first-time visitors may be served from the cache."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.META[SHARED] = True
        return view(request, *args, **kwargs)

    return cast(View, wrapped)


def fresh_value(request: HttpRequest, value: str, *, form_token: str) -> None:
    """``value``, a form token for ``form_token`` (its purpose), is unique to this
    GET: a stored copy of the page gets a new one for each visitor."""
    request.META.setdefault(FRESH, {})[value] = f"form:{form_token}"


def forget_pages() -> None:
    """Every stored page is out of date (an edit of what public pages show).

    At once, so that this process shows the edit even inside the edit's
    transaction, and again on commit: a page rendered in between, from the rows
    before the edit, would otherwise be stored under the new version."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    caches[VERSIONS].set(VERSION_KEY, time.time_ns(), timeout=None)


def _version() -> int:
    versions = caches[VERSIONS]
    version: int | None = versions.get(VERSION_KEY)
    if version is None:
        # A new version (not 0): a culled key must not bring older pages back.
        versions.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = versions.get(VERSION_KEY, 0)
    return version


@functools.cache
def _variants() -> tuple[Callable[[], object], ...]:
    return tuple(import_string(name) for name in settings.PAGE_CACHE_VARIES_ON)


class SharedPageMiddleware:
    """Serve and store the pages of ``@shared_page`` views (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Django's own CSRF middleware sets the cookie of a served page exactly as
        # it would on the normal path.
        self.csrf = CsrfViewMiddleware(get_response)
        self.cookies_allowed = frozenset(
            {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        stored: Stored | None = cache.get(key)
        if stored is not None:
            return self._serve(request, stored)
        response = self.get_response(request)
        if request.META.get(SHARED):
            found = _storable(request, response, self.csrf_cookie_only(response))
            if found is not None:
                cache.set(key, found, settings.PAGE_CACHE_SECONDS)
        return response

    def csrf_cookie_only(self, response: HttpResponse) -> bool:
        return set(response.cookies) <= {settings.CSRF_COOKIE_NAME}

    def _key(self, request: HttpRequest) -> str | None:
        if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
            return None
        if not self.cookies_allowed.issuperset(request.COOKIES):
            return None
        try:
            host = request.get_host()
        except DisallowedHost:
            return None  # refused further in, as without this middleware
        variants = [str(variant()) for variant in _variants()]
        where = "\n".join(
            [request.scheme or "", host, request.get_full_path(), *variants]
        )
        digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()
        language = get_language_from_request(request)
        return f"tipline:page:{_version()}:{language}:{digest}"

    def _serve(self, request: HttpRequest, stored: Stored) -> HttpResponse:
        made: dict[str, str] = {}
        chunks = []
        for part in stored.parts:
            if isinstance(part, bytes):
                chunks.append(part)
                continue
            if part not in made:
                made[part] = self._make(request, part)
            chunks.append(escape(made[part]).encode())
        content = b"".join(chunks)
        response = HttpResponse(content, status=stored.status)
        for name, value in stored.headers:
            response.headers[name] = value
        response.headers["Content-Length"] = str(len(content))
        if CSRF in made:
            self.csrf.process_response(request, response)
        return response

    def _make(self, request: HttpRequest, name: str) -> str:
        if name == CSRF:
            self.csrf.process_request(request)
            return get_token(request)
        return new_form_token(name.removeprefix("form:"))


def _storable(
    request: HttpRequest, response: HttpResponse, csrf_cookie_only: bool
) -> Stored | None:
    """The response with its per-request values cut out; None if it has any this
    module cannot make anew (see the module)."""
    if response.status_code != 200 or response.streaming or not csrf_cookie_only:
        return None
    content = response.content
    fresh: dict[str, str] = dict(request.META.get(FRESH, {}))
    tokens = set(CSRF_INPUT.findall(content))
    if len(tokens) > 1:
        return None
    for token in tokens:
        fresh[token.decode()] = CSRF
    if response.cookies and not tokens:
        return None
    parts: list[bytes | str] = [content]
    if fresh:
        values = re.compile(b"|".join(re.escape(v.encode()) for v in fresh))
        pieces: list[Any] = values.split(content)
        found = values.findall(content)
        if not all(escape(value) == value for value in fresh):
            return None  # substituted values are escaped: they must not change
        parts = [pieces[0]]
        for value, piece in zip(found, pieces[1:], strict=True):
            parts += [fresh[value.decode()], piece]
    if _leaks(request, [part for part in parts if isinstance(part, bytes)]):
        return None
    headers = tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in {"content-length", "set-cookie"}
    )
    return Stored(status=200, headers=headers, parts=tuple(parts))


def _leaks(request: HttpRequest, kept: list[bytes]) -> bool:
    """Whether what would be stored still holds this visitor's CSRF secret (its
    raw form, or a masked token made from it elsewhere on the page) or a signed
    value: a page that prints them in a way this module does not know is not
    stored, rather than sent to everyone."""
    secret = request.META.get("CSRF_COOKIE")
    for chunk in kept:
        if SIGNED.search(chunk):
            return True
        if not secret:
            continue
        if secret.encode() in chunk:
            return True
        for candidate in MASKED_TOKEN.findall(chunk):
            if _unmask(candidate.decode()) == secret:
                return True
    return False


def _unmask(token: str) -> str:
    """The secret inside a masked CSRF token (as Django's middleware unmasks it)."""
    chars: str = CSRF_ALLOWED_CHARS
    mask, cipher = token[: len(token) // 2], token[len(token) // 2 :]
    return "".join(
        chars[chars.index(c) - chars.index(m)]
        for c, m in zip(cipher, mask, strict=True)
    )
