"""Public pages that are not forms: the home page, guidance and error pages
(the statistics are in stats_views.py)."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tipline.lib.storage import is_out_of_space
from tipline.profiles.loader import ensure_default_profile
from tipline.profiles.selectors import guidance_pages


def home(request: HttpRequest) -> HttpResponse:
    profile = ensure_default_profile()
    context = {"profile": profile, "guidance": guidance_pages(profile)}
    return render(request, "outreach/home.html", context)


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
