"""The reporter's browser side of a handle: one HttpOnly, SameSite=Strict cookie per
place, limited to the pages that need it (tipline.crypto.handles).

Pages that show a receipt or a report follow POST/redirect/GET: the POST stores what
the next page shows under a fresh handle and redirects, so the browser's history
holds only GET requests with no secret in them, and Back or Reload never sends a
receipt again.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from tipline import crypto
from tipline.intake import handles


@dataclass(frozen=True)
class Place:
    kind: handles.Kind
    cookie: str
    # URL name of the pages the cookie is sent to; None: the page given when set.
    url_name: str | None

    def path(self) -> str:
        return reverse(self.url_name) if self.url_name else "/"


RECEIPT_PAGE = Place(
    handles.Kind("receipt-page", "RECEIPT_SHOWN_SECONDS"),
    "tl_receipt",
    "intake:receipt",
)
FOLLOWUP = Place(
    handles.Kind("followup", "FOLLOWUP_IDLE_SECONDS"), "tl_followup", "intake:followup"
)
DRAFT = Place(handles.Kind("draft", "DRAFT_SECONDS"), "tl_draft", None)


@dataclass(frozen=True)
class Opened:
    secret: bytes
    payload: dict[str, Any]


def start(
    response: HttpResponse,
    place: Place,
    payload: dict[str, Any],
    *,
    path: str | None = None,
    expires: datetime | None = None,
) -> None:
    """Store ``payload`` under a fresh handle and give the browser its cookie."""
    secret = crypto.new_handle()
    handles.save_handle(secret, place.kind, payload, expires=expires)
    # A deletion set earlier on this response (``end``) would otherwise leave its
    # Max-Age=0 on the new cookie, and the browser would drop it at once.
    response.cookies.pop(place.cookie, None)
    # No __Host- prefix: browsers accept it only with Path=/, and these cookies are
    # scoped to the one page that reads them (receipt, follow-up, the form a draft
    # belongs to), so no other page of the site ever receives them. Strict, HttpOnly
    # and Secure under HTTPS, like the staff cookies (issue 12, point 9).
    response.set_cookie(
        place.cookie,
        crypto.encode_handle(secret),
        path=path or place.path(),
        secure=settings.HTTPS,
        httponly=True,
        samesite="Strict",
    )


def read(request: HttpRequest, place: Place) -> Opened | None:
    """What the request's handle for ``place`` opens, or None."""
    try:
        secret = crypto.decode_handle(request.COOKIES.get(place.cookie, ""))
    except crypto.MalformedHandle:
        return None
    payload = handles.open_handle(secret, place.kind)
    return None if payload is None else Opened(secret, payload)


def update(
    opened: Opened, place: Place, payload: dict[str, Any], *, expires: datetime
) -> None:
    handles.save_handle(opened.secret, place.kind, payload, expires=expires)


def count_use(opened: Opened, place: Place, key: str, *, limit: int) -> bool:
    """Count one more use of something costly under the handle (a signed PDF),
    keeping its expiry: False, and nothing counted, once ``limit`` is reached."""
    used = int(opened.payload.get(key, 0))
    expires = handles.open_handle_expiry(opened.secret, place.kind)
    if used >= limit or expires is None:
        return False
    opened.payload[key] = used + 1
    update(opened, place, opened.payload, expires=expires)
    return True


def end(
    request: HttpRequest, response: HttpResponse, place: Place, *, path: str = ""
) -> None:
    """Destroy the server's copy and tell the browser to drop the cookie."""
    raw = request.COOKIES.get(place.cookie)
    if raw is None:
        return
    with contextlib.suppress(crypto.MalformedHandle):
        handles.drop_handle(crypto.decode_handle(raw), place.kind)
    response.delete_cookie(place.cookie, path=path or place.path(), samesite="Strict")


def take_draft(request: HttpRequest, form: str) -> dict[str, Any] | None:
    """The draft of ``form`` (its HTML id) kept across a language change, once: the
    server's copy is gone after this (the caller then ends the cookie). A draft of
    another form on the same path is left for that form's page."""
    opened = read(request, DRAFT)
    if opened is None or opened.payload.get("form") != form:
        return None
    handles.drop_handle(opened.secret, DRAFT.kind)
    return opened.payload
