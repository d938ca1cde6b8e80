"""Keeping a staff member's unlocked private key between requests.

The key is stored in the server-side session encrypted under a random key that
lives only in the user's cookie. Threat handled: a copy of the session store (the
database) alone reveals no private key, and any web process can serve the user
because neither half is held in a process's memory.
"""

from __future__ import annotations

import base64
import binascii
from typing import Final

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tipline import crypto

SESSION_FIELD = "tipline_locked_key"
# The cookie's name over plain HTTP (local use); under HTTPS it carries the __Host-
# prefix (cookie_name()), so that only this host, over TLS, can set it.
COOKIE_NAME = "tipline_key"
# Strict, like the session cookie (settings.SESSION_COOKIE_SAMESITE): a request
# started on another site must not arrive able to decrypt anything.
SAMESITE: Final = "Strict"


class KeyLocked(Exception):
    """The session has no usable private key: the user must sign in again."""


def keep_unlocked_key(
    request: HttpRequest,
    response: HttpResponse,
    private_key: bytes,
    *,
    user_id: int | None = None,
) -> None:
    """Keep the key for the signed-in user (or for ``user_id``, who is about to be
    signed in once their second factor is checked)."""
    cookie_key = crypto.new_data_key()
    owner = user_id if user_id is not None else request.user.pk
    blob = crypto.encrypt(cookie_key, private_key, context=_context(owner))
    request.session[SESSION_FIELD] = base64.b64encode(blob).decode("ascii")
    response.set_cookie(
        cookie_name(),
        base64.urlsafe_b64encode(cookie_key).decode("ascii"),
        max_age=None,
        httponly=True,
        secure=settings.HTTPS,
        samesite=SAMESITE,
    )


def cookie_name() -> str:
    return f"__Host-{COOKIE_NAME}" if settings.HTTPS else COOKIE_NAME


def unlocked_private_key(request: HttpRequest) -> bytes:
    """The signed-in user's private key, or KeyLocked."""
    try:
        blob = base64.b64decode(request.session[SESSION_FIELD])
        cookie_key = base64.urlsafe_b64decode(request.COOKIES[cookie_name()])
        return crypto.decrypt(cookie_key, blob, context=_context(request.user.pk))
    except (KeyError, binascii.Error, ValueError, crypto.DecryptionFailed) as exc:
        raise KeyLocked from exc


def forget_unlocked_key(response: HttpResponse) -> None:
    # Secure too under HTTPS: browsers ignore a __Host- cookie set without it.
    response.delete_cookie(cookie_name(), samesite=SAMESITE)


def _context(user_id: int | None) -> bytes:
    return f"session-key:user:{user_id}".encode()
