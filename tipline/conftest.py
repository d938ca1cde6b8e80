"""Fixtures shared by every app's tests: a fixed cast of staff and helpers that
drive the site the way a browser without JavaScript does."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import Browser, sync_playwright

from tipline.accounts import services as accounts
from tipline.accounts.models import Role, User
from tipline.intake.models import Profile
from tipline.intake.profiles import load_profile
from tipline.lib import liveserver, s3server
from tipline.triage.services import default_team

# Property tests run the same examples on every run, so CI cannot fail on one
# machine and pass on the next; HYPOTHESIS_PROFILE=explore searches afresh.
hypothesis_settings.register_profile(
    "repeatable", derandomize=True, deadline=None, database=None
)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=2_000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

PASSWORD = "correct horse battery staple"
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def forget_authenticators() -> Iterator[None]:
    yield
    AUTHENTICATORS.clear()


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (cached categories refer to rows that
    another test's transaction rolled back)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def profile(db) -> Profile:
    return load_profile("national-security")


def make_staff(username: str, team_slug: str, role: Role = Role.ANALYST) -> User:
    team = accounts.get_or_create_team(slug=team_slug)
    return accounts.create_staff_user(
        username=username, password=PASSWORD, role=role, team=team, actor=None
    )


@pytest.fixture
def owner(profile) -> User:
    """An analyst in the team that new reports are routed to."""
    return make_staff("owner", default_team().slug)


@pytest.fixture
def colleague(profile) -> User:
    return make_staff("colleague", default_team().slug)


@pytest.fixture
def outsider(profile) -> User:
    """An analyst in another team: must never see the owner's cases."""
    return make_staff("outsider", "elsewhere")


class BrowserClient(Client):
    """Enforces CSRF and follows a POST's redirect, as a browser does."""

    def post(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("follow", True)
        return super().post(*args, **kwargs)


@pytest.fixture
def browser_client() -> Client:
    """A client that enforces CSRF like a browser, so tests must send the token."""
    return BrowserClient(enforce_csrf_checks=True)


def form_tokens(html: str) -> dict[str, str]:
    tokens = {"csrfmiddlewaretoken": CSRF_RE.search(html).group(1)}
    token = TOKEN_RE.search(html)
    if token:
        tokens["token"] = token.group(1)
    return tokens


def post_form(client: Client, page: str, action: str, data: dict[str, Any], **extra):
    """GET ``page``, then POST ``data`` to ``action`` with the page's hidden tokens.

    Public pages answer a successful POST with 303 See Other, as browsers expect;
    the client follows it (as a browser does) unless ``follow=False`` is given."""
    html = client.get(page).content.decode()
    if not page.startswith("/staff/"):
        extra.setdefault("follow", True)
    return client.post(action, {**form_tokens(html), **data}, **extra)


@pytest.fixture
def submit_report(browser_client) -> Callable[..., Any]:
    def submit(answers: dict[str, str], category: str = "approach", **extra):
        url = f"/report/{category}/"
        return post_form(browser_client, url, url, answers, **extra)

    return submit


RECEIPT_RE = re.compile(r'id="receipt"[^>]*>([\d ]+)<')


def receipt_in(html: str) -> str:
    return RECEIPT_RE.search(html).group(1)


# Authenticator secrets of the users the tests enrolled (base32, by user id).
AUTHENTICATORS: dict[int, str] = {}


def authenticator_code(secret_b32: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows now for ``secret_b32``."""
    import base64

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


# --- A real Tipline server in a subprocess -------------------------------------


@pytest.fixture
def live_database() -> Iterator[dict[str, str]]:
    """Settings for a live instance's database: its own PostgreSQL database when the
    suite runs on PostgreSQL, otherwise SQLite in the instance's data directory."""
    admin_url = os.environ.get("TIPLINE_TEST_POSTGRES")
    if not admin_url:
        yield {}
        return
    with liveserver.postgres_database(admin_url) as url:
        yield {"TIPLINE_DATABASE_URL": url}


@pytest.fixture
def live_tipline(tmp_path, live_database) -> Iterator[liveserver.LiveTipline]:
    """``tipline serve`` exactly as an operator runs it, with one analyst."""
    live = liveserver.prepare(tmp_path, TIPLINE_PASSWORD=PASSWORD, **live_database)
    live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
    with liveserver.running(live):
        yield live


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[s3server.S3Server]:
    """A real S3-compatible server (SeaweedFS) on 127.0.0.1 for the whole session."""
    with s3server.running_s3(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def s3_bucket(s3_server) -> str:
    bucket = f"tipline-{secrets.token_hex(4)}"
    s3_server.client().create_bucket(Bucket=bucket)
    return bucket


# --- A real browser: Debian's Chromium driven by Playwright ----------------------

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert shutil.which(CHROMIUM), (
        "Debian's chromium is required: apt-get install chromium"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
