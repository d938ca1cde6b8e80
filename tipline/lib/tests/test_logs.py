"""The privacy filter on Django's real loggers: a 500 stays useful to an operator
and names neither the client nor the path (the live server test covers 4xx and
gunicorn)."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import RequestFactory
from django.urls import resolve
from django.utils.log import log_response

from tipline.lib.logs import PrivacyFilter, hide_addresses


@pytest.fixture
def captured():
    """Records of the ``django`` loggers as a filtered handler would write them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PrivacyFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("django")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def failing_request(path: str):
    request = RequestFactory().get(path, REMOTE_ADDR="2001:db8::23")
    request.META["HTTP_X_FORWARDED_FOR"] = "198.51.100.23"
    request.resolver_match = resolve(path)
    return request


def test_a_server_error_keeps_its_traceback_but_not_the_path_or_address(captured):
    path = "/report/approach/"
    request = failing_request(path)
    peer = request.META["REMOTE_ADDR"]
    try:
        raise RuntimeError(f"lost the database while serving {path} to {peer}")
    except RuntimeError as exc:
        response = type("Response", (), {"status_code": 500})()
        log_response(
            "%s: %s",
            "Internal Server Error",
            request.path,
            response=response,
            request=request,
            exception=exc,
        )

    text = captured.getvalue()
    assert "ERROR Internal Server Error: report/<slug:slug>/" in text
    assert "Traceback (most recent call last):" in text
    assert "test_logs.py" in text
    assert "RuntimeError: lost the database while serving [path] to [address]" in text
    for needle in ["approach", "2001:db8", "198.51.100.23"]:
        assert needle not in text, needle


def test_a_not_found_names_no_path(captured):
    request = RequestFactory().get("/followup/approach/extra/")
    response = type("Response", (), {"status_code": 404})()

    log_response("Not Found: %s", request.path, response=response, request=request)

    assert captured.getvalue() == "WARNING Not Found: [path]\n"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.23",
        "10.1.2.3",
        "2001:db8::1",
        "::1",
        "::ffff:192.0.2.1",
        "fe80::1%eth0",
    ],
)
def test_every_form_of_address_is_hidden(address):
    assert hide_addresses(f"peer {address}: closed") == "peer [address]: closed"
    assert address not in hide_addresses(f"from ip={address}:51234")


def test_times_and_versions_are_not_mistaken_for_addresses():
    text = "worker 12:30:05 started, version 1.2.3, took 0.5 s"

    assert hide_addresses(text) == text


def test_gunicorns_error_log_keeps_the_traceback_but_not_the_request(tmp_path):
    from gunicorn.config import Config

    from tipline.lib.logs import PrivateGunicornLogger

    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("loglevel", "warning")
    log = PrivateGunicornLogger(config)
    peer, path = "127.0.0.23", "/report/approach/"
    try:
        raise ConnectionResetError(f"peer {peer} went away during {path}")
    except ConnectionResetError:
        log.exception("Error handling request %s %s", "POST", f"{path}?x=1")
    log.warning(f"Invalid request from ip={peer}: Invalid HTTP method: 'G@T'")
    log.error("Worker (pid:%s) exited with code %s.", 42, 1)

    text = (tmp_path / "error.log").read_text()
    assert "Error handling request (client and request not logged)" in text
    assert "ConnectionResetError: peer [address] went away during [path]" in text
    assert "Invalid request (client and request not logged)" in text
    assert "Worker (pid:42) exited with code 1." in text
    for needle in ["127.0.0.23", "approach", "G@T"]:
        assert needle not in text, needle
