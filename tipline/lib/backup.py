"""Consistent backups of a running instance, and restoring them.

A backup is a directory:

- ``database.sqlite3`` (SQLite's online backup API: a consistent snapshot taken
  while the service keeps writing) or ``database.dump`` (``pg_dump``'s custom
  format, one consistent snapshot of a PostgreSQL database);
- ``files/``: every stored evidence blob, copied through Django's storage API
  (local files or S3-compatible object storage alike), after the snapshot, so
  every file the snapshot refers to is there;
- ``manifest.json``: when, from which database kind, and each file's SHA-256,
  checked again on restore.

Everything in it is what the database and the file store already hold: ciphertext
and sealed keys. Secrets (``TIPLINE_SECRET_KEY``, ``TIPLINE_RECEIPT_PEPPER``) are
not included: keep them apart from backups, and give the restored instance the
same ones, or receipts stop working. A file removed by a purge running during the
backup may be missing from it; its case is then purged again by the next purge.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from tipline.lib import storage

MANIFEST = "manifest.json"
FILES = "files"
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.dump"
BLOB_ROOT = "evidence"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup cannot be written or restored; the message says why."""


def write_backup(destination: Path) -> dict[str, Any]:
    """Write a backup of the database and the evidence files to ``destination``
    (which must not exist yet). Returns the manifest."""
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new directory")
    destination.mkdir(parents=True, mode=0o700)
    vendor = connection.vendor
    if vendor == "sqlite":
        _sqlite_snapshot(destination / SQLITE_NAME)
    elif vendor == "postgresql":
        _pg_dump(destination / PG_NAME)
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")
    files = {}
    for name in storage.walk(BLOB_ROOT):
        target = destination / FILES / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        files[name] = digest.hexdigest()
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": vendor,
        "files": files,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def restore_backup(source: Path, *, force: bool = False) -> dict[str, Any]:
    """Bring a backup back into this instance's database and file store.

    Refuses to overwrite a database that already holds reports unless ``force``;
    the service must be stopped while restoring.
    """
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} is not a Tipline backup: {exc}") from None
    if manifest.get("database") != connection.vendor:
        raise BackupError(
            f"this backup is of a {manifest.get('database')} database; this "
            f"instance uses {connection.vendor}"
        )
    for name, expected in manifest["files"].items():
        if _sha256(source / FILES / name) != expected:
            raise BackupError(f"{name} in the backup is damaged or missing")
    if not force and _holds_reports():
        raise BackupError(
            "this instance already holds reports; restore into an empty one, or "
            "pass --force to replace them"
        )
    if connection.vendor == "sqlite":
        _sqlite_restore(source / SQLITE_NAME)
    else:
        _pg_restore(source / PG_NAME)
    for name in manifest["files"]:
        if default_storage.exists(name):
            default_storage.delete(name)
        with (source / FILES / name).open("rb") as handle:
            stored = default_storage.save(name, File(handle, name=name))
        if stored != name:
            raise BackupError(f"the file store renamed {name} to {stored}")
    return manifest


def _sqlite_snapshot(target: Path) -> None:
    live = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    copy = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent snapshot while writers go on.
        live.backup(copy)
    finally:
        copy.close()
        live.close()
    os.chmod(target, 0o600)


def _sqlite_restore(snapshot: Path) -> None:
    connection.close()
    name = Path(settings.DATABASES["default"]["NAME"])
    for suffix in ("-wal", "-shm"):
        Path(f"{name}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(snapshot, name)
    os.chmod(name, 0o600)


def _pg_command(program: str, *args: str) -> None:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    command = [
        program,
        "--host",
        str(db.get("HOST") or "localhost"),
        "--port",
        str(db.get("PORT") or 5432),
        "--username",
        str(db.get("USER") or ""),
        "--dbname",
        str(db["NAME"]),
        *args,
    ]
    try:
        subprocess.run(command, env=env, check=True, capture_output=True)
    except FileNotFoundError:
        raise BackupError(
            f"{program} is needed (apt-get install postgresql-client)"
        ) from None
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{program} failed: {exc.stderr.decode()[-500:]}") from None


def _pg_dump(target: Path) -> None:
    _pg_command("pg_dump", "--format=custom", "--no-owner", "--file", str(target))
    os.chmod(target, 0o600)


def _pg_restore(dump: Path) -> None:
    connection.close()
    _pg_command(
        "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
        str(dump),
    )  # fmt: skip


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _holds_reports() -> bool:
    if "intake_report" not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM intake_report LIMIT 1")
        return cursor.fetchone() is not None
