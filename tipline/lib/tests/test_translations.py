"""Every string a person can see exists in both languages (issue 15, point 7).

The product never needs GNU gettext: the compiled catalogue (``django.mo``) is
committed and Django reads it directly. These tests do need it, to extract the
strings from the source exactly as ``make messages`` does (``.ci/run`` installs
it with the other system packages the tests use).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
# As the Makefile's `messages` target runs it.
OPTIONS = ["--no-location", "--ignore", "tests/*"]
INSTALL = "GNU gettext is needed to check the translations: apt-get install gettext"


def _statistics(po: Path) -> str:
    # msgfmt prints "N translated messages, M fuzzy translations, K untranslated".
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stderr.strip()


def _untranslated(po: Path) -> list[str]:
    """The msgids of ``po`` with no Chinese yet, or only a fuzzy guess."""
    missing = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids = re.findall(r'^msgid "(.+)"$', missing + fuzzy, flags=re.MULTILINE)
    return sorted(set(ids))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The catalogue as ``make messages`` would leave it for today's source: the
    committed translations merged with every string found in the templates and
    the Python code (tests excepted), in a copy of the package."""
    assert shutil.which("xgettext"), INSTALL
    copy = tmp_path_factory.mktemp("messages") / "tipline"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo", "static"),
    )
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", *OPTIONS],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tipline.settings_test"},
        capture_output=True,
        check=True,
    )
    return copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_string_in_the_source_has_a_chinese_translation(extracted):
    missing = _untranslated(extracted)
    assert not missing, (
        f"{len(missing)} strings have no Chinese translation (run `make messages`, "
        "translate them in tipline/locale/zh_Hans/LC_MESSAGES/django.po, then "
        "`make messages` again):\n" + "\n".join(missing[:40])
    )


def test_the_committed_catalogue_is_complete_and_well_formed():
    po = CATALOGUE / "django.po"
    assert shutil.which("msgfmt"), INSTALL
    statistics = _statistics(po)
    assert "fuzzy" not in statistics, statistics
    assert "untranslated" not in statistics, statistics


def test_the_compiled_catalogue_matches_its_source(tmp_path):
    """The .mo Django reads is the .po compiled: a translation edited but not
    compiled would silently not show."""
    assert shutil.which("msgfmt"), INSTALL
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(CATALOGUE / "django.po")],
        check=True,
    )
    assert compiled.read_bytes() == (CATALOGUE / "django.mo").read_bytes(), (
        "django.mo is out of date: run `make messages`"
    )
