"""Middleware that keeps reporters anonymous and pages locked down."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Everything a request carries that identifies the client's network or device.
# Removed before any view, logger or error report can see it.
IDENTIFYING_META = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_USER_AGENT",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_SEC_CH_UA_MOBILE",
)
# Methods whose requests keep their Referer: Django's CSRF check needs it on HTTPS
# form posts from clients that send no Origin header. Those are same-origin by then
# (Referrer-Policy: same-origin); the Referer of a page view, which can name the
# site a reporter came from, is always removed.
REFERER_KEPT_FOR = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Paths whose responses may say how long they are cached: static files, and the
# organisation's stylesheet and logo (public, the same for every visitor;
# tipline.outreach.site_views sets their Cache-Control).
CACHEABLE_PREFIXES = ("/static/", "/site/")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


class PrivacyMiddleware:
    """Strip client identifiers from every request; add strict headers to responses.

    Threat: a server log, error report or careless view recording who reported.
    Stripping at the outermost layer means no later code can use the values, by
    mistake or otherwise. Responses are marked no-store so no shared or browser
    cache keeps a copy of a form, a receipt or a decrypted case.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key in IDENTIFYING_META:
            request.META.pop(key, None)
        if request.method not in REFERER_KEPT_FOR:
            request.META.pop("HTTP_REFERER", None)
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith(CACHEABLE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response
