"""The test rigs stay out of the product, and the fast inner loop is honest:
the built distribution holds no tests and no rigs, and a test that starts a server
without the ``live`` marker fails (issue 13, point 5)."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from testkit import liveguard, liveserver, s3server

ROOT = Path(__file__).resolve().parents[3]
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "var",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)


def built_wheel(tmp_path: Path) -> list[str]:
    """Build the wheel from a copy of the source tree (a build writes into the
    tree it builds) and list the files in it."""
    source, out = tmp_path / "source", tmp_path / "out"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, source],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    wheels = list(out.glob("tipline-*.whl"))
    assert len(wheels) == 1, result.stdout + result.stderr
    with zipfile.ZipFile(wheels[0]) as archive:
        return archive.namelist()


def test_the_built_distribution_holds_no_tests_and_no_rigs(tmp_path):
    names = built_wheel(tmp_path)

    assert [name for name in names if "/tests/" in name] == []
    assert [name for name in names if not name.startswith("tipline")] == []
    assert [name for name in names if name.endswith("conftest.py")] == []
    # The product is all there: code, templates, translations, profiles.
    assert "tipline/intake/views.py" in names
    assert "tipline/scrub/__init__.py" in names
    assert "tipline/templates/base.html" in names
    assert "tipline/intake/templates/intake/form.html" in names
    assert "tipline/profiles/data/national-security.toml" in names
    assert "tipline/profiles/data/guidance/national-security.toml" in names
    assert any(name.endswith("/LC_MESSAGES/django.mo") for name in names)


def test_the_test_helpers_run_from_the_source_tree():
    # The sandbox tests run this hostile worker with `python -m` from the source
    # tree; leaving tests out of the wheel must not stop that.
    result = subprocess.run(
        [sys.executable, "-c", "import tipline.intake.tests.hostile_worker"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr


# --- The live marker ---------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "tipline.cli", "serve"],
        ["/srv/tipline/.venv/bin/tipline", "serve"],
        [sys.executable, "-m", "tipline.intake.tests.frozen_clock", "serve"],
        ["/bin/sh", "-c", "exec tipline serve"],
        [b"tipline", b"serve"],
        "tipline serve",
        ["/opt/venv/bin/weed", "server", "-s3"],
        ["node", "/x/playwright/driver/package/cli.js", "run-driver"],
        ["/usr/bin/chromium", "--headless"],
    ],
)
def test_every_way_of_starting_a_server_is_recognised(command):
    assert liveguard.server_in(command) is not None


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "tipline.cli", "check"],
        [sys.executable, "-m", "tipline.cli", "--help"],
        [sys.executable, "-m", "tipline.intake.tests.hostile_worker"],
        [sys.executable, "-c", "print('serve')"],
        ["git", "ls-files", "-z"],
        ["serve"],
    ],
)
def test_other_commands_are_not_servers(command):
    assert liveguard.server_in(command) is None


def test_an_unmarked_test_cannot_start_tipline_serve(tmp_path):
    # Set up as prepare() would, so that without the guard it would really serve.
    port = liveserver.free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TIPLINE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(TIPLINE_DATA_DIR=str(tmp_path / "var"), TIPLINE_PORT=str(port))
    live = liveserver.LiveTipline(
        f"http://127.0.0.1:{port}", tmp_path / "var", tmp_path, tmp_path / "log", env
    )
    try:
        with pytest.raises(liveguard.UnmarkedLiveTest, match="not marked live"):
            liveserver.start(live)
    finally:
        live.stop()
    assert live.process is None


def test_an_unmarked_test_cannot_start_the_s3_server(tmp_path):
    with (
        pytest.raises(liveguard.UnmarkedLiveTest, match="SeaweedFS"),
        s3server.running_s3(tmp_path),
    ):
        pass


def test_an_unmarked_test_cannot_start_a_browser():
    with (
        pytest.raises(
            liveguard.UnmarkedLiveTest,
            match=r"::test_an_unmarked_test_cannot_start_a_browser starts a browser",
        ),
        sync_playwright(),
    ):
        pass
    # Playwright leaves the refusal in a future nobody reads; collect it now, so
    # asyncio reports it inside this test rather than at the interpreter's exit.
    gc.collect()


def test_an_unmarked_test_may_still_run_other_commands():
    result = subprocess.run([sys.executable, "-c", "print('ok')"], capture_output=True)

    assert result.stdout == b"ok\n"


@pytest.mark.live
def test_a_marked_test_is_not_guarded():
    # Recognised as a server, yet not refused: `-c` makes it exit at once.
    command = [sys.executable, "-c", "pass", "serve"]
    assert liveguard.server_in(command) is not None

    assert subprocess.run(command, check=False).returncode == 0
