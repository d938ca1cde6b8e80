"""No tracked file is, or holds, a key or a secret (issue 11, point 1).

A secret key, a receipt pepper and an escrow private key were once generated inside
the package and committed. This test reads every file git tracks, by name and by
content, and skips outside a git checkout (an installed package, a tarball).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tipline.accounts.escrow import ensure_escrow_keypair
from tipline.lib.env import read_or_create_secret

ROOT = Path(__file__).resolve().parents[3]

SECRET_NAMES = re.compile(
    r"^(secret_key|receipt_pepper|escrow_private_key|id_rsa|id_dsa|id_ecdsa"
    r"|id_ed25519|.*\.pem|.*\.key|.*\.p12|.*\.pfx|\.env)$",
    re.IGNORECASE,
)
# Split so that this file does not match itself.
PEM = b"-----" + b"BEGIN"
# A line that is nothing but a key: 64 hex digits (a 256-bit key, e.g. the escrow
# private key), or 43 or more URL-safe base64 characters with letters and digits
# mixed (secrets.token_urlsafe, e.g. the secret key and the receipt pepper).
KEY_LINE = re.compile(
    r"^\s*(?:[0-9a-fA-F]{64}|(?=[\w-]*\d)(?=[\w-]*[a-z])(?=[\w-]*[A-Z])[\w-]{43,})\s*$",
    re.MULTILINE,
)


def looks_like_a_secret(path: Path, data: bytes) -> str | None:
    """Why ``path`` with contents ``data`` looks like a key or secret, or None."""
    if SECRET_NAMES.match(path.name):
        return "its name is that of a key or secret"
    if "var" in path.parts[:-1]:
        return "it is inside a data directory (var/)"
    if PEM in data:
        return "it holds a PEM block"
    match = KEY_LINE.search(data.decode("utf-8", errors="replace"))
    if match:
        return f"a line looks like a key: {match.group(0).strip()[:8]}…"
    return None


def tracked_files() -> list[Path]:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    result = subprocess.run(
        [git, "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=False
    )
    if result.returncode != 0:
        pytest.skip("not a git checkout")
    return [Path(name) for name in result.stdout.decode().split("\0") if name]


def test_no_tracked_file_looks_like_a_key_or_secret():
    files = tracked_files()
    assert len(files) > 100, "git ls-files listed too few files"

    found = {
        str(name): reason
        for name in files
        if (ROOT / name).is_file()
        and (reason := looks_like_a_secret(name, (ROOT / name).read_bytes()))
    }

    assert found == {}


def test_the_check_recognises_every_secret_tipline_generates(tmp_path):
    secrets_dir = tmp_path / "var" / "secrets"
    read_or_create_secret(secrets_dir / "secret_key")
    read_or_create_secret(secrets_dir / "receipt_pepper")
    ensure_escrow_keypair(secrets_dir)

    for path in secrets_dir.iterdir():
        renamed = Path("docs") / f"notes-{path.name}.txt"
        assert looks_like_a_secret(renamed, path.read_bytes()) is not None, path.name
    for name in ["secret_key", "tipline/var/x.txt", "deploy/tls.pem", "id_ed25519"]:
        assert looks_like_a_secret(Path(name), b"harmless") is not None, name
    pem = PEM + b" OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n"
    assert looks_like_a_secret(Path("notes.md"), pem) == "it holds a PEM block"


def test_the_check_passes_ordinary_text():
    lock_line = b"    --hash=sha256:" + b"0123456789abcdef" * 4 + b" \\\n"
    prose = b"The escrow private key is kept offline.\n" + b"-" * 70 + b"\n"
    assert looks_like_a_secret(Path("requirements/base.txt"), lock_line) is None
    assert looks_like_a_secret(Path("README.md"), prose) is None
