"""The import contract in pyproject.toml (`lint-imports`, run by `make test`) keeps
DESIGN.md's layer table true: it passes on the tree as it is, and fails on each kind
of new upward or sideways import, in a copy of the package's sources."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tipline

PACKAGE = Path(tipline.__file__).parent
PYPROJECT = PACKAGE.parent / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def copy_sources(into: Path) -> Path:
    """The package's Python files (nothing else is read by the contract)."""

    def not_python(folder: str, names: list[str]) -> set[str]:
        return {
            name
            for name in names
            if name == "__pycache__"
            or (not name.endswith(".py") and not (Path(folder) / name).is_dir())
        }

    shutil.copytree(PACKAGE, into / "tipline", ignore=not_python)
    shutil.copy(PYPROJECT, into / "pyproject.toml")
    return into / "tipline"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-logo", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return copy_sources(tmp_path)


def test_the_contract_holds_on_the_code_as_it_is(tree):
    result = lint_imports(tree.parent)

    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Contracts: [1-9][0-9]* kept, 0 broken\.", result.stdout)


@pytest.mark.parametrize(
    ("path", "source", "broken", "chain"),
    [
        pytest.param(
            "audit/upward.py",
            "from tipline.cases import models\n",
            "tipline.audit is not allowed to import tipline.cases",
            "tipline.audit.upward -> tipline.cases.models",
            id="floor-imports-domain",
        ),
        pytest.param(
            "accounts/upward.py",
            "from typing import TYPE_CHECKING\n\n"
            "if TYPE_CHECKING:\n    from tipline.cases.models import Report\n",
            "tipline.accounts is not allowed to import tipline.cases",
            "tipline.accounts.upward -> tipline.cases.models",
            id="under-type-checking",
        ),
        pytest.param(
            "lib/upward.py",
            "def later():\n    import tipline.accounts.models\n",
            "tipline.lib is not allowed to import tipline.accounts",
            "tipline.lib.upward -> tipline.accounts.models",
            id="lazy-import-in-a-function",
        ),
        pytest.param(
            "triage/upward.py",
            "from tipline.cases.workflow import close_case\n",
            "tipline.triage is not allowed to import tipline.cases",
            "tipline.triage.upward -> tipline.cases.workflow",
            id="leaf-imports-its-caller",
        ),
        pytest.param(
            "outreach/sideways.py",
            "from tipline.intake import selectors\n",
            "tipline.outreach is not allowed to import tipline.intake",
            "tipline.outreach.sideways -> tipline.intake.selectors",
            id="front-door-imports-its-sibling",
        ),
        # Allowed by the layers, refused by the row's "talks to" column.
        pytest.param(
            "triage/down.py",
            "from tipline.accounts.models import Team\n",
            "tipline.triage is not allowed to import tipline.accounts",
            "tipline.triage.down -> tipline.accounts.models",
            id="leaf-imports-the-floor",
        ),
        pytest.param(
            "cases/down.py",
            "from tipline import scrub\n",
            "tipline.cases is not allowed to import tipline.scrub",
            "tipline.cases.down -> tipline.scrub",
            id="cases-imports-scrub",
        ),
        pytest.param(
            "profiles/down.py",
            "from tipline.audit import services\n",
            "tipline.profiles is not allowed to import tipline.audit",
            "tipline.profiles.down -> tipline.audit.services",
            id="profiles-imports-audit",
        ),
        pytest.param(
            "audit/down.py",
            "from tipline import crypto\n",
            "tipline.audit is not allowed to import tipline.crypto",
            "tipline.audit.down -> tipline.crypto",
            id="audit-imports-crypto",
        ),
        pytest.param(
            "outreach/down.py",
            "from tipline.accounts import models\n",
            "tipline.outreach is not allowed to import tipline.accounts",
            "tipline.outreach.down -> tipline.accounts.models",
            id="outreach-imports-accounts",
        ),
        pytest.param(
            "crypto/sideways.py",
            "from tipline.lib import clock\n",
            "tipline.crypto is not allowed to import tipline.lib",
            "tipline.crypto.sideways -> tipline.lib.clock",
            id="crypto-imports-lib",
        ),
        pytest.param(
            "intake/upward.py",
            "from tipline.api import views\n",
            "tipline.intake is not allowed to import tipline.api",
            "tipline.intake.upward -> tipline.api.views",
            id="public-pages-import-the-api",
        ),
        pytest.param(
            "scrub/upward.py",
            "from tipline.lib import clock\n",
            "tipline.scrub is not allowed to import tipline.lib",
            "tipline.scrub.upward -> tipline.lib.clock",
            id="scrub-imports-lib",
        ),
        pytest.param(
            "scrub/upward.py",
            "from tipline.intake import apps\n",
            "tipline.scrub is not allowed to import tipline.intake",
            "tipline.scrub.upward -> tipline.intake.apps",
            id="scrub-imports-its-host-app",
        ),
    ],
)
def test_a_new_import_against_the_layers_breaks_it(tree, path, source, broken, chain):
    (tree / path).write_text(source)

    result = lint_imports(tree.parent)

    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"Contracts: [0-9]+ kept, [1-9][0-9]* broken\.", result.stdout)
    assert broken in result.stdout
    assert chain in result.stdout


def test_a_new_package_outside_the_table_breaks_it(tree):
    """A new app (or a module directly under tipline/) must be given its row, so
    that no import can go around the layers through it."""
    (tree / "payments").mkdir()
    (tree / "payments" / "__init__.py").write_text("")
    (tree / "shortcuts.py").write_text("from tipline.cases import models\n")

    result = lint_imports(tree.parent)

    assert result.returncode == 1
    assert "The following modules are not listed as layers:" in result.stdout
    assert "- tipline.payments\n" in result.stdout
    assert "- tipline.shortcuts\n" in result.stdout


def test_test_fixtures_inside_the_package_break_it(tree):
    """Fixtures live in the repository's conftest.py, outside the product: one put
    back inside the package is a module in no layer, through which product code
    could reach any other."""
    (tree / "conftest.py").write_text("from tipline.cases import models\n")

    result = lint_imports(tree.parent)

    assert result.returncode == 1
    assert "The following modules are not listed as layers:" in result.stdout
    assert "- tipline.conftest\n" in result.stdout


def test_a_listed_exception_that_no_longer_exists_breaks_it(tree):
    """The list of today's violations stays exact: once point 1 removes an upward
    import, its line in ignore_imports must go too."""
    config = tree.parent / "pyproject.toml"
    config.write_text(
        config.read_text().replace(
            '    "tipline.*.tests.** -> tipline.**",\n',
            '    "tipline.*.tests.** -> tipline.**",\n'
            '    "tipline.audit.services -> tipline.cases.models",\n',
            1,
        )
    )

    result = lint_imports(tree.parent)

    assert result.returncode == 1
    assert (
        "No matches for ignored import "
        "tipline.audit.services -> tipline.cases.models." in result.stdout
    )
