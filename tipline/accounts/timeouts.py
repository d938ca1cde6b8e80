"""Staff sessions end after a time of inactivity and after an absolute time.

Threat: a staff computer left unlocked, or a session cookie copied from it. The
unlocked private key lives in the session (encrypted under a key in the cookie),
so a session that ends also locks the key again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tipline.accounts.session_keys import forget_unlocked_key

STARTED = "tipline_started"
SEEN = "tipline_seen"
# Saving "last seen" on every request would write the session on every page;
# once a minute is precise enough for an idle limit counted in minutes.
SEEN_RESOLUTION = 60


def start(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(STARTED, 0)
            seen = request.session.get(SEEN, 0)
            if (
                now - started > settings.SESSION_MAX_SECONDS
                or now - seen > settings.SESSION_IDLE_SECONDS
            ):
                auth.logout(request)
                messages.info(request, _("You were signed out. Sign in again."))
                response = redirect("accounts:login")
                forget_unlocked_key(response)
                return response
            if now - seen >= SEEN_RESOLUTION:
                request.session[SEEN] = now
        return self.get_response(request)
