"""Start a real Tipline instance in subprocesses, for end-to-end tests and benchmarks.

The instance runs exactly as an operator runs it (``tipline serve``: gunicorn,
production settings) with its own data directory and temporary directory, listens on
127.0.0.1 only, and is stopped by ``stop()`` or the context manager.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

TIPLINE = [sys.executable, "-m", "tipline.cli"]


@dataclass
class LiveTipline:
    url: str
    data_dir: Path
    temp_dir: Path
    output: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def logs(self) -> str:
        return self.output.read_text(errors="replace")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a ``tipline`` command against this instance."""
        return subprocess.run(
            [*TIPLINE, *args], env=self.env, check=True, capture_output=True, text=True
        )

    def worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def prepare(root: Path, **settings: str) -> LiveTipline:
    """Set up (migrate) an instance under ``root`` without starting it.

    Pass ``TIPLINE_DATABASE_URL`` to use PostgreSQL (see ``postgres_database``);
    the default is SQLite in the instance's data directory. Tests and benchmarks
    post forms the moment they are served, so the minimum fill time is off unless
    ``TIPLINE_FORM_MIN_FILL_SECONDS`` is passed.

    The database is a copy of one migrated once per process (``migrated_copy``):
    migrating took 5-7 s of every live test on the 2-core test machine. A test
    about what migrating itself leaves behind uses ``prepare_by_migrating``.
    """
    live = _instance(root, settings)
    if not migrated_copy(live):
        live.run("manage", "migrate", "-v", "0")
    return live


def prepare_by_migrating(root: Path, **settings: str) -> LiveTipline:
    """``prepare``, running ``tipline manage migrate`` on the instance itself."""
    live = _instance(root, settings)
    live.run("manage", "migrate", "-v", "0")
    return live


def _instance(root: Path, settings: dict[str, str]) -> LiveTipline:
    port = free_port()
    data_dir, temp_dir = root / "var", root / "tmp"
    temp_dir.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TIPLINE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        {
            "TMPDIR": str(temp_dir),
            "TIPLINE_DATA_DIR": str(data_dir),
            "TIPLINE_PORT": str(port),
            "TIPLINE_WORKERS": "2",
            "TIPLINE_FORM_MIN_FILL_SECONDS": "0",
            **settings,
        }
    )
    return LiveTipline(
        f"http://127.0.0.1:{port}", data_dir, temp_dir, root / "server.log", env
    )


# One migrated database per kind of database (SQLite, or a PostgreSQL server),
# per source tree (an instance given PYTHONPATH runs that tree's code and
# migrations: bench/before.py serves an older commit) and per process. A
# migrated instance's database holds only the schema, Django's content types and
# permissions, nothing made from the instance's secrets, so a copy is the same
# database that migrating would have made. Each instance still makes its own
# secrets (on its first command) in its own data directory.
_templates: dict[str, str] = {}


def migrated_copy(live: LiveTipline) -> bool:
    """Give ``live`` a copy of a migrated database; False where it cannot (a
    database URL that is neither PostgreSQL nor absent, a database already there)."""
    url = live.env.get("TIPLINE_DATABASE_URL")
    if url is None:
        return _copy_sqlite(live)
    if url.startswith(("postgres://", "postgresql://")):
        _copy_postgres(live, url)
        return True
    return False


def _code(live: LiveTipline) -> dict[str, str]:
    """The setting that chooses which source tree an instance runs, if given."""
    return {"PYTHONPATH": live.env["PYTHONPATH"]} if "PYTHONPATH" in live.env else {}


def _migrated_template(settings: dict[str, str]) -> LiveTipline:
    source = Path(tempfile.mkdtemp(prefix="tipline-template-"))
    atexit.register(shutil.rmtree, source, ignore_errors=True)
    template = _instance(source, settings)
    template.run("manage", "migrate", "-v", "0")
    return template


def _copy_sqlite(live: LiveTipline) -> bool:
    names = ["tipline.sqlite3", "tipline.sqlite3-wal"]
    if any((live.data_dir / name).exists() for name in names):
        return False
    key = f"sqlite {_code(live)}"
    if key not in _templates:
        _templates[key] = str(_migrated_template(_code(live)).data_dir)
    live.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # No process has the template open: its database file and write-ahead log
    # (if one was left) together are the database.
    for name in names:
        source_path = Path(_templates[key]) / name
        if source_path.exists():
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
            descriptor = os.open(live.data_dir / name, flags, 0o600)
            with (
                source_path.open("rb") as source_file,
                os.fdopen(descriptor, "wb") as copy,
            ):
                shutil.copyfileobj(source_file, copy)
    return True


def _copy_postgres(live: LiveTipline, url: str) -> None:
    import psycopg

    server, database = url.rsplit("/", 1)
    key = f"{server} {_code(live)}"
    if key not in _templates:
        name = f"tipline_template_{secrets.token_hex(6)}"
        with psycopg.connect(server + "/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_drop_postgres, server, name)
        _migrated_template({**_code(live), "TIPLINE_DATABASE_URL": f"{server}/{name}"})
        _templates[key] = name
    # The instance's database (new and empty, from postgres_database) becomes a
    # copy of the template.
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{database}"')
        connection.execute(f'CREATE DATABASE "{database}" TEMPLATE "{_templates[key]}"')


def _drop_postgres(server: str, name: str) -> None:
    import psycopg

    with (
        contextlib.suppress(psycopg.Error),
        psycopg.connect(server + "/postgres", autocommit=True) as connection,
    ):
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def another_process(live: LiveTipline, name: str) -> LiveTipline:
    """A second web process for the same instance (same database, data directory
    and secrets) on its own port, like a second node behind a load balancer."""
    port = free_port()
    env = {**live.env, "TIPLINE_PORT": str(port), "TIPLINE_MIGRATE_ON_START": "False"}
    output = live.output.with_name(f"{name}.log")
    return LiveTipline(
        f"http://127.0.0.1:{port}", live.data_dir, live.temp_dir, output, env
    )


def start(live: LiveTipline) -> LiveTipline:
    with live.output.open("ab") as sink:
        live.process = subprocess.Popen(
            [*TIPLINE, "serve"],
            env=live.env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for_port(int(live.url.rsplit(":", 1)[1]), live.process, live.output)
    return live


@contextlib.contextmanager
def running(live: LiveTipline) -> Iterator[LiveTipline]:
    try:
        yield start(live)
    finally:
        live.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], log: Path | None = None
) -> None:
    """Wait until ``port`` accepts connections, or fail if ``process`` exits."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace") if log else ""
            raise RuntimeError(f"server exited:\n{output}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.5),
        ):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server did not start on port {port}")


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one instance; dropped afterwards."""
    import psycopg

    name = f"tipline_live_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
