"""Helpers over Django's storage API (local files or S3-compatible storage)."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from django.core.files.storage import default_storage


def walk(prefix: str) -> Iterator[str]:
    """Every stored file name under ``prefix``, recursively."""
    try:
        directories, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for directory in directories:
        yield from walk(f"{prefix}/{directory}")
    for name in files:
        yield f"{prefix}/{name}"


def set_file_times(name: str, at: datetime) -> None:
    """Give a stored file, and the folders it was written into, the times ``at``.

    The file system stamps a new file (and the folder that gained it) with the
    exact moment of the write; for a reporter's upload that moment identifies
    them as well as a row's time would, so it is replaced by the coarse time of
    the upload's rows. Sets modification and access times; the inode change time
    (and a birth time, where the file system keeps one) cannot be set by a
    program, and object storage keeps its own upload time: see docs/security.md.
    Storage without local paths (S3) is left as it is.
    """
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:
        return
    root = Path(default_storage.path("")).resolve()  # the storage's location
    stamp = at.timestamp()
    os.utime(path, (stamp, stamp))
    folder = path.parent.resolve()
    while folder == root or root in folder.parents:
        # A folder another process is removing at this moment is no longer ours.
        with contextlib.suppress(FileNotFoundError):
            os.utime(folder, (stamp, stamp))
        folder = folder.parent


def is_out_of_space(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is a full disk: the file store's
    ENOSPC, or the database's "disk is full" (SQLite) / "No space left on
    device" (PostgreSQL), so any page can answer it with a clear 503."""
    from django.db import OperationalError

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, OperationalError):
            text = str(exc).lower()
            if "disk is full" in text or "no space left" in text:
                return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False
