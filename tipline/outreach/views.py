"""Public pages that are not forms: the home page, guidance and error pages
(the statistics are in stats_views.py)."""

from __future__ import annotations

import sys
from typing import Literal, cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from tipline.lib.pagecache import shared_page
from tipline.lib.storage import is_out_of_space
from tipline.profiles.loader import ensure_default_profile
from tipline.profiles.selectors import guidance_pages

SameSite = Literal["Lax", "Strict", "None"] | None


@shared_page
def home(request: HttpRequest) -> HttpResponse:
    profile = ensure_default_profile()
    context = {"profile": profile, "guidance": guidance_pages(profile)}
    return render(request, "outreach/home.html", context)


@require_http_methods(["GET"])
def choose_language(request: HttpRequest, code: str) -> HttpResponse:
    """The language links of shared pages (tipline.lib.pagecache): set Django's
    language cookie and go back to ``next``, a page of this site only."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("outreach:home")
    response = HttpResponseRedirect(target, status=303)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE),
    )
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason is for developers; the reporter gets a plain explanation instead.
    return render(request, "403_csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the error is being handled: a full disk anywhere (a staff
    # sign-in's session, the audit entry of opening a case) is a clear 503.
    if is_out_of_space(sys.exc_info()[1]):
        return render(request, "503_storage.html", status=503)
    return render(request, "500.html", status=500)
