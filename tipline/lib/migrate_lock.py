"""One migrator at a time, however many servers start at once.

Two ``tipline serve`` started together on an empty data directory (or two nodes on
one new PostgreSQL database) would both find no tables and both create them: the
second fails half-way with "table already exists". Holding this lock, the second
waits, then finds the migrations applied and has nothing to do.

PostgreSQL: a session-level advisory lock, which every node sharing the database
sees. SQLite: an exclusive ``flock`` on a file next to the database, which every
process on the machine sees (SQLite is never shared across machines).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

# Any constant shared by every node: "tipline migrate" as a 63-bit number.
ADVISORY_KEY = int.from_bytes(b"tl-migr", "big")


@contextlib.contextmanager
def migration_lock() -> Iterator[None]:
    """Hold the instance-wide migration lock (blocks until it is free)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
        return
    database = Path(str(connection.settings_dict["NAME"]))
    database.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(
        database.with_name(database.name + ".migrate-lock"),
        os.O_RDWR | os.O_CREAT,
        0o600,
    )
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
