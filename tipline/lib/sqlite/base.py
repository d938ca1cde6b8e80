"""SQLite, with write transactions queued on a lock file.

SQLite lets one writer in at a time. A second writer is turned away and, with a
busy timeout, retries after sleeping 1, 2, 5, 10 … up to 100 ms, however soon the
lock is free again. Under load (several gunicorn workers and threads) most of that
time is idle: writers sleep while nobody holds the lock, and latency piles up. This
backend makes each write transaction first take an exclusive ``flock`` on a file
next to the database: waiters block in the kernel and are woken the moment the lock
is released, in turn. Everything else is Django's SQLite backend unchanged.

Used only for the embedded default (TIPLINE_DATABASE_URL unset or sqlite://);
PostgreSQL has row locks and needs none of this.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    # django-stubs leaves out the private hooks of BaseDatabaseWrapper that this
    # class extends (they exist in Django 5.2): hence the `misc` ignores below.
    _lock_fd: int | None = None

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _acquire_write_lock(self) -> None:
        if self._lock_fd is not None or self.is_in_memory_db():
            return
        path = f"{self.settings_dict['NAME']}.writelock"
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except BaseException:
            os.close(descriptor)
            raise
        self._lock_fd = descriptor

    def _release_write_lock(self) -> None:
        descriptor, self._lock_fd = self._lock_fd, None
        if descriptor is not None:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)


__all__ = ["DatabaseWrapper"]
