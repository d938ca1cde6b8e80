"""A scrub worker is confined (tipline/lib/confine.py): after confinement a
process that a decoder exploit has taken over can read neither the secrets nor
the database nor anything outside the Python installation, write nowhere, open
no socket, yet still imports what parsers import as they go. Each probe runs
in a real subprocess and tries the same things before confining itself (the
positive control: the web server's user can) and after."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tipline.intake import sandbox

PROBE = r"""
import json, socket, sys
from tipline.intake import sandbox
from tipline.lib import confine

targets = json.loads(sys.argv[1])

def attempt(action):
    try:
        action()
    except OSError as exc:
        return exc.errno
    return "done"

def tries(suffix):
    found = {
        name: attempt(lambda path=path: open(path, "rb").read(1))
        for name, path in targets["read"].items()
    }
    found["write"] = attempt(lambda: open(targets["write"] + suffix, "wb").close())
    found["unix socket"] = attempt(lambda: socket.socket(socket.AF_UNIX).close())
    found["tcp socket"] = attempt(lambda: socket.socket().close())
    return found

before = tries(".before")
missing = confine.confine(sandbox.readable_dirs())
after = tries(".after")
import pikepdf, mutagen.mp3, PIL.Image  # imports still work
PIL.Image.init()
print(json.dumps({"before": before, "after": after, "missing": missing}))
"""


def test_a_confined_worker_reaches_none_of_what_the_web_server_can(tmp_path):
    secret = next(p for p in sorted(settings.SECRETS_DIR.iterdir()) if p.is_file())
    evidence = Path(settings.DATA_DIR) / "probe-evidence"
    evidence.write_bytes(b"ciphertext, but not the worker's to read")
    targets = {
        "read": {
            "secret": str(secret),
            "data directory": str(evidence),
            "/etc": "/etc/hostname"
            if Path("/etc/hostname").exists()
            else "/etc/passwd",
        },
        "write": str(tmp_path / "written"),
    }
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(targets)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
        env={k: v for k, v in os.environ.items() if not k.startswith("TIPLINE_")},
    )
    found = json.loads(probe.stdout)

    assert found["missing"] == []
    assert set(found["before"].values()) == {"done"}  # the control: it could
    assert found["after"] == {
        "secret": errno.EACCES,
        "data directory": errno.EACCES,
        "/etc": errno.EACCES,
        "write": errno.EACCES,
        "unix socket": errno.EPERM,
        "tcp socket": errno.EPERM,
    }
    assert not (tmp_path / "written.after").exists()


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def test_every_pool_worker_runs_confined_and_without_credentials(monkeypatch):
    for name in ("TIPLINE_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "PGPASSWORD"):
        monkeypatch.setenv(name, "not for a scrub worker")
    monkeypatch.setenv("LANG", "C.UTF-8")
    pool = sandbox.ScrubPool(processes=1, seconds=5, memory_bytes=2**31)
    try:
        pool.warm()
        (pid,) = pool.worker_pids()
        status = _status(pid)
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    finally:
        pool.close()

    assert status["NoNewPrivs"].strip() == "1"
    assert status["Seccomp"].strip() == "2"  # a filter is installed
    assert b"LANG=C.UTF-8" in environ
    assert not [entry for entry in environ if b"not for a scrub worker" in entry]
