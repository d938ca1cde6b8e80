"""Helpers that drive the site the way a browser without JavaScript does, and a
fixed cast of staff: shared by every app's tests (the fixtures that use them are in
conftest.py at the repository root)."""

from __future__ import annotations

import base64
import re
from typing import Any

from django.test import Client

from tipline.accounts import services as accounts
from tipline.accounts.models import Role, User

PASSWORD = "correct horse battery staple"
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT_RE = re.compile(r'id="receipt"[^>]*>([\d ]+)<')

# Authenticator secrets of the users the tests enrolled (base32, by user id);
# emptied after each test by the ``forget_authenticators`` fixture.
AUTHENTICATORS: dict[int, str] = {}

# A real browser: Debian's Chromium driven by Playwright.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def make_staff(username: str, team_slug: str, role: Role = Role.ANALYST) -> User:
    team = accounts.get_or_create_team(slug=team_slug)
    return accounts.create_staff_user(
        username=username, password=PASSWORD, role=role, team=team, actor=None
    )


class BrowserClient(Client):
    """Enforces CSRF and follows a POST's redirect, as a browser does."""

    def post(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("follow", True)
        return super().post(*args, **kwargs)


def sign_in(client: Client, username: str, password: str) -> Any:
    """Post the staff sign-in form (the password step) as a person would."""
    return post_form(
        client,
        "/staff/login/",
        "/staff/login/",
        {"username": username, "password": password},
    )


def _found(pattern: re.Pattern[str], html: str, what: str) -> str:
    match = pattern.search(html)
    if match is None:
        raise AssertionError(f"the page has no {what}")
    return match.group(1)


def form_tokens(html: str) -> dict[str, str]:
    tokens = {"csrfmiddlewaretoken": _found(CSRF_RE, html, "CSRF token")}
    token = TOKEN_RE.search(html)
    if token:
        tokens["token"] = token.group(1)
    return tokens


def post_form(
    client: Client, page: str, action: str, data: dict[str, Any], **extra: Any
) -> Any:
    """GET ``page``, then POST ``data`` to ``action`` with the page's hidden tokens.

    Public pages answer a successful POST with 303 See Other, as browsers expect;
    the client follows it (as a browser does) unless ``follow=False`` is given."""
    html = client.get(page).content.decode()
    if not page.startswith("/staff/"):
        extra.setdefault("follow", True)
    return client.post(action, {**form_tokens(html), **data}, **extra)


def receipt_in(html: str) -> str:
    return _found(RECEIPT_RE, html, "receipt")


def authenticator_code(secret_b32: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows now for ``secret_b32``."""
    from django_otp.oath import TOTP

    totp = TOTP(base64.b32decode(secret_b32), drift=steps_ahead)
    return f"{totp.token():06d}"


def enrol_authenticator(user: User) -> str:
    from tipline.accounts import two_factor

    secret = two_factor.begin_enrolment(user)
    two_factor.confirm_enrolment(user, authenticator_code(secret))
    AUTHENTICATORS[user.pk] = secret
    return secret


def staff_login(client: Client, user: User) -> None:
    """Sign in as a person would: password, then (for the roles that require one)
    a code from the authenticator app, which the helper sets up first if needed."""
    from tipline.accounts import two_factor
    from tipline.accounts.models import SecondFactor

    if two_factor.is_required(user) and user.pk not in AUTHENTICATORS:
        enrol_authenticator(user)
    response = post_form(
        client,
        "/staff/login/",
        "/staff/login/",
        {"username": user.username, "password": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    if response.url == "/staff/login/code/":
        # Each code works once; tests sign in more often than every 30 seconds.
        SecondFactor.objects.filter(user=user).update(last_step=-1)
        code = authenticator_code(AUTHENTICATORS[user.pk])
        response = post_form(
            client, "/staff/login/code/", "/staff/login/code/", {"code": code}
        )
        assert response.status_code == 302, response.content.decode()[:2000]


OUR_SCRIPT = re.compile(r'<script src="/static/tipline/[\w-]+\.js" defer></script>')


def foreign_scripts(html: str) -> list[str]:
    """Every ``<script`` in ``html`` except the site's own static files: inline
    script (which the CSP would block anyway) or script from anywhere else."""
    return re.findall(r"<script[^>]*>", OUR_SCRIPT.sub("", html))


def loaded_from_elsewhere(html: str) -> list[str]:
    """Addresses ``html`` makes the browser fetch from another site: ``src``
    attributes and ``<link>`` targets that are absolute. Plain links (``<a>``,
    among them the quick exit) are not fetched."""
    sources = re.findall(r'\ssrc="((?:https?:)?//[^"]*)"', html)
    links = re.findall(r'<link[^>]*\shref="((?:https?:)?//[^"]*)"', html)
    return sources + links
