"""The ``live`` marker: which tests start a server, and a guard that stops any
other test from starting one.

``pytest -m "not live"`` is the fast inner loop, and it is only honest if every test
that starts a server carries the marker. Tests get it from the fixtures they use
(``LIVE_FIXTURES``, see conftest.py at the repository root) or from an explicit
``pytest.mark.live``. The guard is a Python audit hook on ``subprocess.Popen``: in a
test without the marker it refuses to start the processes a server needs, so such a
test fails in every run, the fast loop included, instead of slowing it down unseen.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from collections.abc import Iterator
from typing import Any

# Fixtures that start a server (or a browser) for the test that uses them.
LIVE_FIXTURES = frozenset(
    {
        "live_tipline",
        "shared_tipline",
        "s3_server",
        "s3_bucket",
        "browser",
        "live_server",
    }
)
MARKER = "live"


class UnmarkedLiveTest(RuntimeError):
    """A test without the ``live`` marker tried to start a server."""


_running: dict[str, Any] = {"test": None, "installed": False}


def server_in(args: Any) -> str | None:
    """What server the command line ``args`` starts, or None.

    ``tipline serve`` through any launcher (the ``tipline`` script, ``python -m
    tipline.cli``, a wrapper module, a shell string), SeaweedFS's ``weed`` (the S3
    test server), and Playwright's driver (which launches the browser)."""
    words: list[str] = []
    for arg in [args] if isinstance(args, str | bytes | os.PathLike) else args:
        text = os.fsdecode(arg)
        try:
            words.extend(shlex.split(text))
        except ValueError:
            words.extend(text.split())
    names = [os.path.basename(word) for word in words]
    if "weed" in names:
        return "SeaweedFS (the S3 test server)"
    if "run-driver" in words or "chromium" in names:
        return "a browser (Playwright)"
    if "serve" in words[1:]:
        return "tipline serve"
    return None


def install() -> None:
    """Add the audit hook, once per process (audit hooks cannot be removed)."""
    if not _running["installed"]:
        sys.addaudithook(_refuse_unmarked_servers)
        _running["installed"] = True


@contextlib.contextmanager
def running(test: str, *, live: bool) -> Iterator[None]:
    """Guard the process while ``test`` runs, unless it is marked live."""
    _running["test"] = None if live else test
    try:
        yield
    finally:
        _running["test"] = None


def _refuse_unmarked_servers(event: str, args: tuple[Any, ...]) -> None:
    if event != "subprocess.Popen" or _running["test"] is None:
        return
    server = server_in(args[1])
    if server is not None:
        raise UnmarkedLiveTest(
            f"{_running['test']} starts {server} but is not marked live: add "
            f"pytestmark = pytest.mark.{MARKER} (or use a live fixture), so that "
            f'`pytest -m "not {MARKER}"` stays fast'
        )
