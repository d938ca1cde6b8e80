"""Fixtures shared by every app's tests: a fixed cast of staff, clients that behave
like a browser without JavaScript, live servers and a real browser.

The helpers these fixtures use, and the rigs that start servers, are in the
top-level ``testkit`` package, which does not ship with the product. Tests that
start a server are marked ``live`` here (by the fixtures they use) or in their
module, so that ``pytest -m "not live"`` is a fast inner loop; a test that starts
one without the marker fails (testkit/liveguard.py).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import Browser, sync_playwright

from testkit import liveguard, liveserver, s3server
from testkit.helpers import (
    AUTHENTICATORS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    BrowserClient,
    make_staff,
    post_form,
)
from tipline.accounts.models import User
from tipline.accounts.services import default_team
from tipline.profiles.loader import load_profile
from tipline.profiles.models import Profile

# The reward programme's fixtures (a substantiated case, approvers, finance, an
# approved offer), for the tests of every app that shows a reward.
pytest_plugins = ["tipline.rewards.tests.fixtures"]

# Property tests run the same examples on every run, so CI cannot fail on one
# machine and pass on the next; HYPOTHESIS_PROFILE=explore searches afresh.
hypothesis_settings.register_profile(
    "repeatable", derandomize=True, deadline=None, database=None
)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=2_000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


# --- The live marker -------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    liveguard.install()


# Fixtures through which a test reaches the database (pytest-django's, and
# live_database, which points a live server at PostgreSQL in that pass).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "live_database",
        "shared_live_database",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a live fixture, or drives a browser, is live. A test
    that reaches the database is marked ``database``: the PostgreSQL pass of
    ``make test`` runs only those (the rest would run the same code twice)."""
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        if uses & liveguard.LIVE_FIXTURES or item.get_closest_marker("browser"):
            item.add_marker(liveguard.MARKER)
        if uses & DATABASE_FIXTURES or item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.database)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    live = item.get_closest_marker(liveguard.MARKER) is not None
    with liveguard.running(item.nodeid, live=live):
        return (yield)


# --- Staff and clients -----------------------------------------------------------


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


@pytest.fixture
def browser_client() -> Client:
    """A client that enforces CSRF like a browser, so tests must send the token."""
    return BrowserClient(enforce_csrf_checks=True)


@pytest.fixture
def submit_report(browser_client) -> Callable[..., Any]:
    def submit(answers: dict[str, str], category: str = "approach", **extra):
        url = f"/report/{category}/"
        return post_form(browser_client, url, url, answers, **extra)

    return submit


# --- A real Tipline server in a subprocess -------------------------------------


@contextlib.contextmanager
def _database_settings() -> Iterator[dict[str, str]]:
    admin_url = os.environ.get("TIPLINE_TEST_POSTGRES")
    if not admin_url:
        yield {}
        return
    with liveserver.postgres_database(admin_url) as url:
        yield {"TIPLINE_DATABASE_URL": url}


@contextlib.contextmanager
def _serving_with_an_analyst(
    root: Path, database: dict[str, str]
) -> Iterator[liveserver.LiveTipline]:
    live = liveserver.prepare(root, TIPLINE_PASSWORD=PASSWORD, **database)
    live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
    with liveserver.running(live):
        yield live


@pytest.fixture
def live_database() -> Iterator[dict[str, str]]:
    """Settings for a live instance's database: its own PostgreSQL database when the
    suite runs on PostgreSQL, otherwise SQLite in the instance's data directory."""
    with _database_settings() as database:
        yield database


@pytest.fixture
def live_tipline(tmp_path, live_database) -> Iterator[liveserver.LiveTipline]:
    """``tipline serve`` exactly as an operator runs it, with one analyst."""
    with _serving_with_an_analyst(tmp_path, live_database) as live:
        yield live


@pytest.fixture(scope="module")
def shared_live_database() -> Iterator[dict[str, str]]:
    with _database_settings() as database:
        yield database


@pytest.fixture(scope="module")
def shared_tipline(
    tmp_path_factory, shared_live_database
) -> Iterator[liveserver.LiveTipline]:
    """``live_tipline``, one for the whole module (setting one up takes 5-15 s on
    the 2-core machine), for tests that change no setting and read nothing another
    test leaves behind: each works with its own report and receipt."""
    root = tmp_path_factory.mktemp("shared-tipline")
    with _serving_with_an_analyst(root, shared_live_database) as live:
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
