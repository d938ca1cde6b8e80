"""The organisation's public face served by the site itself: the brand
stylesheet and logo (issue 15, point 9) and /verify-this-site/ with its signed
statement (point 10)."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import quote_etag
from django.views.decorators.http import require_http_methods

from tipline.lib.pagecache import shared_page
from tipline.outreach.statement import statement_date, statement_text
from tipline.profiles import branding
from tipline.profiles.loader import ensure_default_profile
from tipline.profiles.selectors import current_site, site_logo
from tipline.rewards import certificates_statement

# base.html links both with ?v=<updated_at>, so a browser may keep them for a
# year: a change of the settings changes the address. Without the right ?v= (an
# old page, a hand-typed address) they are revalidated by ETag.
LONG = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"


@require_http_methods(["GET", "HEAD"])
def brand_css(request: HttpRequest) -> HttpResponse:
    site = current_site()
    body = branding.brand_css(primary=site.colour_primary, header=site.colour_header)
    version = branding.version_of(site.updated_at)
    return _cached(request, body.encode(), "text/css; charset=utf-8", version)


@require_http_methods(["GET", "HEAD"])
def logo(request: HttpRequest) -> HttpResponse:
    found = site_logo()
    if found is None:
        return HttpResponse(status=404)
    png, updated_at = found
    return _cached(request, png, "image/png", branding.version_of(updated_at))


@shared_page
@require_http_methods(["GET"])
def verify_site(request: HttpRequest) -> HttpResponse:
    site = current_site()
    context = {
        "site": site,
        "fingerprint": certificates_statement.signing_fingerprint(),
        "stated_on": statement_date(site),
    }
    return render(request, "outreach/verify_site.html", context)


@require_http_methods(["GET"])
def statement(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_statement(), content_type="text/plain; charset=utf-8")


@require_http_methods(["GET"])
def statement_signature(request: HttpRequest) -> HttpResponse:
    signature = certificates_statement.sign_detached(_statement())
    return _download(signature, "application/pkcs7-signature", "statement.txt.p7s")


@require_http_methods(["GET"])
def certificate(request: HttpRequest) -> HttpResponse:
    pem = certificates_statement.signing_certificate_pem()
    return _download(pem, "application/x-pem-file", "certificate.pem")


def _statement() -> bytes:
    return statement_text(
        site=current_site(),
        profile=ensure_default_profile(),
        fingerprint=certificates_statement.signing_fingerprint(),
    )


def _cached(
    request: HttpRequest, body: bytes, content_type: str, version: str
) -> HttpResponse:
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = LONG if request.GET.get("v") == version else REVALIDATE
    return response


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
