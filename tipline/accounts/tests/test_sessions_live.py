"""Sessions and cookies against real `tipline serve` processes (issue 12, point 9):
servers starting together, cookies under HTTPS, and a cross-site link in a real
browser. On PostgreSQL when the suite runs there (scripts/test-postgres)."""

import contextlib
import os
import re
import subprocess
from http.cookies import SimpleCookie

import pytest
import requests

from testkit import liveserver
from testkit.helpers import PASSWORD

# Every test here starts a real server.
pytestmark = pytest.mark.live

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def unmigrated(root, name, **settings):
    """An instance under ``root`` whose database nothing has migrated yet."""
    port = liveserver.free_port()
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TIPLINE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        TMPDIR=str(root / "tmp"),
        TIPLINE_DATA_DIR=str(root / "var"),
        TIPLINE_PORT=str(port),
        TIPLINE_WORKERS="1",
        **settings,
    )
    return liveserver.LiveTipline(
        f"http://127.0.0.1:{port}",
        root / "var",
        root / "tmp",
        root / f"{name}.log",
        env,
    )


def test_two_servers_starting_at_once_on_an_empty_data_directory_both_serve(
    tmp_path, live_database
):
    servers = [unmigrated(tmp_path, f"server{n}", **live_database) for n in (1, 2)]
    with contextlib.ExitStack() as stack:
        for server in servers:
            sink = stack.enter_context(server.output.open("ab"))
            server.process = subprocess.Popen(
                [*liveserver.TIPLINE, "serve"],
                env=server.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            stack.callback(server.stop)
        for server in servers:
            port = int(server.url.rsplit(":", 1)[1])
            liveserver.wait_for_port(port, server.process, server.output)

        pages = [requests.get(f"{s.url}/staff/login/", timeout=30) for s in servers]

        assert [page.status_code for page in pages] == [200, 200]
        for server in servers:
            assert "Traceback" not in server.logs()
            assert "already exists" not in server.logs()
        # Both agree the schema is complete: nothing is left to migrate.
        check = servers[0].run("manage", "migrate", "--check")
        assert check.returncode == 0


@pytest.fixture
def https_tipline(tmp_path, live_database):
    """A live instance configured for HTTPS behind a TLS proxy."""
    live = liveserver.prepare(
        tmp_path, TIPLINE_HTTPS="True", TIPLINE_PASSWORD=PASSWORD, **live_database
    )
    live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
    with liveserver.running(live):
        yield live


def set_cookies(response):
    """Each Set-Cookie header of ``response``, parsed: {name: morsel}."""
    cookies = {}
    for header in response.raw.headers.getlist("Set-Cookie"):
        cookies.update(SimpleCookie(header))
    return cookies


def test_under_https_staff_cookies_are_host_prefixed_and_strict(https_tipline):
    base = https_tipline.url
    origin = base.replace("http://", "https://")
    # As the TLS proxy forwards it (SECURE_PROXY_SSL_HEADER).
    proxy = {"X-Forwarded-Proto": "https"}
    page = requests.get(f"{base}/staff/login/", headers=proxy, timeout=30)
    assert page.status_code == 200
    csrf = set_cookies(page)
    assert list(csrf) == ["__Host-csrftoken"]

    signed_in = requests.post(
        f"{base}/staff/login/",
        data={
            "csrfmiddlewaretoken": CSRF_RE.search(page.text).group(1),
            "username": "analyst",
            "password": PASSWORD,
        },
        headers={
            **proxy,
            "Origin": origin,
            "Referer": f"{origin}/staff/login/",
            "Cookie": f"__Host-csrftoken={csrf['__Host-csrftoken'].value}",
        },
        allow_redirects=False,
        timeout=30,
    )

    assert signed_in.status_code == 302, signed_in.text[:500]
    cookies = {**csrf, **set_cookies(signed_in)}
    assert {"__Host-sessionid", "__Host-tipline_key"} <= set(cookies)
    for name in ("__Host-sessionid", "__Host-tipline_key", "__Host-csrftoken"):
        morsel = cookies[name]
        # What browsers demand of a __Host- cookie: Secure, Path=/, no Domain.
        assert morsel["secure"] is True, name
        assert morsel["path"] == "/", name
        assert morsel["domain"] == "", name
        assert morsel["httponly"] is True, name
    assert cookies["__Host-sessionid"]["samesite"] == "Strict"
    assert cookies["__Host-tipline_key"]["samesite"] == "Strict"
    assert not {"sessionid", "csrftoken", "tipline_key"} & set(cookies)
    # And the prefixed cookies are the ones read back: the session works.
    jar = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
    inbox = requests.get(
        f"{base}/staff/",
        headers={**proxy, "Cookie": jar},
        allow_redirects=False,
        timeout=30,
    )
    assert inbox.status_code == 200
    # The same values under the unprefixed names, as a subdomain or a plain-HTTP
    # response could plant them, are not read.
    planted = jar.replace("__Host-", "")
    refused = requests.get(
        f"{base}/staff/",
        headers={**proxy, "Cookie": planted},
        allow_redirects=False,
        timeout=30,
    )
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/staff/login/")


def test_a_cross_site_link_arrives_without_the_staff_session(live_tipline, browser):
    """127.0.0.1 and localhost are different sites: a link from one to the other
    is a cross-site navigation, as from a hostile page."""
    base = live_tipline.url
    other_site = base.replace("127.0.0.1", "localhost")
    context = browser.new_context(locale="en")
    page = context.new_page()
    page.goto(f"{base}/staff/login/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")
    link = f'<a id="go" href="{base}/staff/">inbox</a>'

    # Positive control: a link on a page of the same site arrives signed in.
    page.goto(f"{base}/")
    page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", link)
    page.click("#go")
    page.wait_for_load_state()
    assert page.url == f"{base}/staff/"

    page.goto(f"{other_site}/")
    page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", link)
    page.click("#go")
    page.wait_for_load_state()

    assert page.url.startswith(f"{base}/staff/login/")
    # The session itself is intact: the next same-site request is signed in.
    page.goto(f"{base}/staff/")
    assert page.url == f"{base}/staff/"
    context.close()
