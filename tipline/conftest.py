"""Fixtures shared by every app's tests: a fixed cast of staff and helpers that
drive the site the way a browser without JavaScript does."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tipline.accounts import services as accounts
from tipline.accounts.models import Role, User
from tipline.intake.models import Profile
from tipline.intake.profiles import load_profile
from tipline.triage.services import default_team

PASSWORD = "correct horse battery staple"
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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


@pytest.fixture
def browser_client() -> Client:
    """A client that enforces CSRF like a browser, so tests must send the token."""
    return Client(enforce_csrf_checks=True)


def form_tokens(html: str) -> dict[str, str]:
    tokens = {"csrfmiddlewaretoken": CSRF_RE.search(html).group(1)}
    token = TOKEN_RE.search(html)
    if token:
        tokens["token"] = token.group(1)
    return tokens


def post_form(client: Client, page: str, action: str, data: dict[str, Any], **extra):
    """GET ``page``, then POST ``data`` to ``action`` with the page's hidden tokens."""
    html = client.get(page).content.decode()
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


def staff_login(client: Client, user: User) -> None:
    response = post_form(
        client,
        "/staff/login/",
        "/staff/login/",
        {"username": user.username, "password": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


# --- A real Tipline server in a subprocess -------------------------------------


@dataclass
class LiveTipline:
    url: str
    data_dir: Path
    output: Path
    process: subprocess.Popen[bytes]

    def logs(self) -> str:
        return self.output.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], output: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tipline serve exited:\n{output.read_text()}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.5),
        ):
            return
        time.sleep(0.2)
    raise RuntimeError(f"tipline serve did not start:\n{output.read_text()}")


@pytest.fixture
def live_tipline(tmp_path) -> Iterator[LiveTipline]:
    """``tipline serve`` exactly as an operator runs it (gunicorn, production
    settings, SQLite under its own data directory) with one analyst, on 127.0.0.1."""
    port = _free_port()
    data_dir = tmp_path / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TIPLINE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        TIPLINE_DATA_DIR=str(data_dir),
        TIPLINE_PORT=str(port),
        TIPLINE_WORKERS="2",
        TIPLINE_PASSWORD=PASSWORD,
    )
    tipline = [sys.executable, "-m", "tipline.cli"]
    subprocess.run([*tipline, "manage", "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*tipline, "createuser", "analyst", "--role", "analyst", "--team", "triage"],
        env=env,
        check=True,
        capture_output=True,
    )
    output = tmp_path / "server.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [*tipline, "serve"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_port(port, process, output)
        yield LiveTipline(f"http://127.0.0.1:{port}", data_dir, output, process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
