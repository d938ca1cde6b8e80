"""Settings behave as documented: safe defaults; secrets generated only if embedded."""

import os
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tipline.lib import env

PRODUCTION = {
    "TIPLINE_ENV": "production",
    "TIPLINE_SECRET_KEY": secrets.token_urlsafe(48),
    "TIPLINE_RECEIPT_PEPPER": secrets.token_urlsafe(48),
    "TIPLINE_ESCROW_PUBLIC_KEY": "ab" * 32,
    "TIPLINE_AUDIT_ANCHOR_KEY": secrets.token_urlsafe(48),
    "TIPLINE_ALLOWED_HOSTS": "tips.example.org",
}


def run_tipline(args, tmp_path, **extra):
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TIPLINE_") and k != "DJANGO_SETTINGS_MODULE"
    }
    environment.update(TIPLINE_DATA_DIR=str(tmp_path / "var"), **extra)
    return subprocess.run(
        [sys.executable, "-m", "tipline.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_default_generates_secrets_with_mode_0600(tmp_path):
    result = run_tipline(["manage", "check"], tmp_path)

    assert result.returncode == 0, result.stderr
    secrets_dir = tmp_path / "var" / "secrets"
    for name in [
        "secret_key",
        "receipt_pepper",
        "escrow_private_key",
        "escrow_public_key",
        "audit_anchor_key",
    ]:
        mode = stat.S_IMODE((secrets_dir / name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {oct(mode)}"
    first = (secrets_dir / "secret_key").read_text()
    assert run_tipline(["manage", "check"], tmp_path).returncode == 0
    assert (secrets_dir / "secret_key").read_text() == first


def test_production_refuses_to_start_without_a_secret(tmp_path):
    extra = {k: v for k, v in PRODUCTION.items() if k != "TIPLINE_SECRET_KEY"}

    result = run_tipline(["manage", "check"], tmp_path, **extra)

    assert result.returncode != 0
    assert (
        "TIPLINE_SECRET_KEY (or TIPLINE_SECRET_KEY_FILE) must be set" in result.stderr
    )
    assert not (tmp_path / "var" / "secrets").exists()


def test_production_settings_pass_djangos_deployment_checks(tmp_path):
    result = run_tipline(
        ["manage", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_tipline_check_flags_an_embedded_instance(tmp_path):
    run_tipline(["manage", "migrate", "-v", "0"], tmp_path)

    result = run_tipline(["check"], tmp_path)

    assert result.returncode == 1
    assert "[FIX] served over HTTPS" in result.stdout
    assert "[FIX] escrow private key is not on this server" in result.stdout
    assert "[ok] DEBUG is off" in result.stdout
    assert "[ok] audit anchor key is set and long" in result.stdout
    assert (
        "[FIX] audit anchors go outside the data directory "
        "(TIPLINE_AUDIT_ANCHOR_SINK)" in result.stdout
    )


def test_tipline_check_accepts_anchors_sent_to_syslog(tmp_path):
    run_tipline(["manage", "migrate", "-v", "0"], tmp_path)

    result = run_tipline(["check"], tmp_path, TIPLINE_AUDIT_ANCHOR_SINK="syslog")

    assert "[ok] audit anchors go outside the data directory" in result.stdout


def test_production_refuses_to_start_without_an_anchor_key(tmp_path):
    extra = {k: v for k, v in PRODUCTION.items() if k != "TIPLINE_AUDIT_ANCHOR_KEY"}

    result = run_tipline(["manage", "check"], tmp_path, **extra)

    assert result.returncode != 0
    assert (
        "TIPLINE_AUDIT_ANCHOR_KEY (or TIPLINE_AUDIT_ANCHOR_KEY_FILE) must be set"
        in (result.stderr)
    )


def test_tipline_check_flags_a_data_dir_others_can_read(tmp_path):
    run_tipline(["manage", "migrate", "-v", "0"], tmp_path)
    private = run_tipline(["check"], tmp_path).stdout
    (tmp_path / "var").chmod(0o755)

    result = run_tipline(["check"], tmp_path)

    assert "[ok] the data directory is private (mode 0700, want 0700)" in private
    assert "[FIX] the data directory is private (mode 0755, want 0700)" in (
        result.stdout
    )


def test_help_explains_every_command(tmp_path):
    result = run_tipline(["--help"], tmp_path)
    for command in [
        "serve",
        "createadmin",
        "createuser",
        "profile load",
        "check",
        "audit verify",
        "escrow grant",
        "escrow rotate",
        "staff move",
        "staff deactivate",
        "staff reactivate",
        "staff grants",
    ]:
        assert command in result.stdout


def test_env_bool_accepts_only_true_and_false(monkeypatch):
    monkeypatch.setenv("TIPLINE_X", "yes")
    with pytest.raises(ImproperlyConfigured, match="must be True or False"):
        env.env_bool("X", default=False)
    monkeypatch.setenv("TIPLINE_X", "True")
    assert env.env_bool("X", default=False) is True


def test_secret_can_come_from_a_file(monkeypatch, tmp_path):
    path = tmp_path / "secret"
    path.write_text("from-a-file\n")
    monkeypatch.delenv("TIPLINE_Y", raising=False)
    monkeypatch.setenv("TIPLINE_Y_FILE", str(path))
    assert env.env_secret("Y", generate_in=None) == "from-a-file"


PACKAGE = Path(__file__).resolve().parents[2]
# Every secret given, so importing the settings creates nothing anywhere.
GIVEN_SECRETS = {k: v for k, v in PRODUCTION.items() if k != "TIPLINE_ENV"}
PRINT_DATA_DIR = "from django.conf import settings; print(settings.DATA_DIR)"


def settings_in(cwd, **extra):
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TIPLINE_") and k != "DJANGO_SETTINGS_MODULE"
    }
    environment.update(DJANGO_SETTINGS_MODULE="tipline.settings", **GIVEN_SECRETS)
    environment.update(extra)
    return subprocess.run(
        [sys.executable, "-c", PRINT_DATA_DIR],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_default_data_dir_is_the_project_root_wherever_a_command_runs(tmp_path):
    expected = str(PACKAGE.parent / "var")

    for cwd in [tmp_path, PACKAGE, PACKAGE / "locale", PACKAGE.parent]:
        result = settings_in(cwd)

        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == expected, cwd
    assert not (PACKAGE / "var").exists()
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize(
    ("cwd", "value"),
    [
        ("package", "var"),
        ("package", "."),
        ("tmp", "{package}/var"),
        ("tmp", "{package}/../tipline/intake/var"),
        ("tmp", "{link}/var"),
    ],
)
def test_a_data_dir_inside_the_package_is_refused(tmp_path, cwd, value):
    (tmp_path / "link").symlink_to(PACKAGE)
    before = sorted(p.name for p in PACKAGE.iterdir())
    value = value.format(package=PACKAGE, link=tmp_path / "link")

    result = settings_in(
        PACKAGE if cwd == "package" else tmp_path, TIPLINE_DATA_DIR=value
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: TIPLINE_DATA_DIR is " in result.stderr
    assert f"inside the tipline package ({PACKAGE})" in result.stderr
    assert sorted(p.name for p in PACKAGE.iterdir()) == before


def test_an_explicit_data_dir_outside_the_package_is_used(tmp_path):
    result = settings_in(PACKAGE, TIPLINE_DATA_DIR=str(tmp_path / "data"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "data")


def test_an_installed_package_keeps_its_data_in_the_users_data_home(tmp_path):
    copy = tmp_path / "site-packages" / "tipline"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))

    result = settings_in(
        tmp_path,
        PYTHONPATH=str(copy.parent),
        XDG_DATA_HOME=str(tmp_path / "share"),
        PYTHONDONTWRITEBYTECODE="1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "share" / "tipline")
