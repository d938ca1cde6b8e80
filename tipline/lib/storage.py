"""Helpers over Django's storage API (local files or S3-compatible storage)."""

from __future__ import annotations

from collections.abc import Iterator

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
