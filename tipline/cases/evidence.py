"""Evidence storage: a report's files, encrypted, in Django's storage, and their rows.

The order of work keeps a submission whole or absent: the caller scrubs every file
first (tipline.intake.attachments), ``write_files`` then writes the ciphertext to
storage, and ``save_rows`` inserts the rows inside the caller's transaction. If that
transaction fails the caller deletes the written files at once (``delete_blobs``);
files left behind by a crash are removed later by ``sweep_orphans``.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, BinaryIO, Protocol

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from tipline import crypto
from tipline.accounts.models import Role, Team, User
from tipline.cases.models import Attachment, Message, OriginalKey, Report
from tipline.lib import storage
from tipline.lib.clock import coarse_now

BLOB_PREFIX = "evidence"


class NewFile(Protocol):
    """A file ready to be stored: scrubbed, described, and perhaps its original."""

    # The upload as received, when the reporter chose to keep it.
    @property
    def original(self) -> BinaryIO | None: ...

    def open_clean(self) -> AbstractContextManager[BinaryIO]:
        """The scrubbed file, from its start."""
        ...

    def details(self) -> dict[str, Any]:
        """What staff are shown about the file (encrypted with the report)."""
        ...


@dataclass
class WrittenFiles:
    """Ciphertext already in storage, and the rows that will point to it."""

    rows: list[Attachment] = field(default_factory=list)
    original_keys: list[list[OriginalKey]] = field(default_factory=list)
    blob_names: list[str] = field(default_factory=list)

    @property
    def originals_kept(self) -> bool:
        return any(row.original_blob_name for row in self.rows)


def write_files(
    files: Iterable[NewFile],
    *,
    data_key: bytes,
    original_readers: list[User],
    escrow_public_key: bytes,
) -> WrittenFiles:
    """Encrypt each file into storage; on any failure, delete what was written."""
    written = WrittenFiles()
    try:
        for item in files:
            _write_one(item, data_key, original_readers, escrow_public_key, written)
    except BaseException:
        delete_blobs(written.blob_names)
        raise
    return written


def save_rows(
    written: WrittenFiles, *, report: Report, team: Team, message: Message | None = None
) -> None:
    """Insert the rows for written files (inside the caller's transaction).

    The originals were sealed to the team's supervisors before the transaction:
    one who left the team, the role or the service since gets no key (their
    rows are locked, so a change in progress commits first)."""
    sealed_to = {key.user_id for keys in written.original_keys for key in keys}
    still = set(
        User.objects.select_for_update()
        .filter(pk__in=sealed_to, team=team, role=Role.SUPERVISOR, is_active=True)
        .values_list("pk", flat=True)
        if sealed_to
        else ()
    )
    for row, keys in zip(written.rows, written.original_keys, strict=True):
        row.report = report
        row.message = message
        row.save()
        for key in keys:
            key.attachment = row
        OriginalKey.objects.bulk_create(key for key in keys if key.user_id in still)


def delete_blobs(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def read_details(attachment: Attachment, data_key: bytes) -> dict[str, Any]:
    plain = crypto.decrypt(
        data_key,
        bytes(attachment.details_encrypted),
        context=attachment.details_context(),
    )
    details: dict[str, Any] = json.loads(plain)
    return details


def open_clean_file(attachment: Attachment, data_key: bytes) -> Iterator[bytes]:
    """The scrubbed file's plaintext, chunk by chunk, straight from storage."""
    key = crypto.derive_file_key(data_key, bytes(attachment.key_salt))
    with default_storage.open(attachment.blob_name, "rb") as handle:
        yield from crypto.decrypt_stream(key, handle)


def open_original_file(
    attachment: Attachment, user: User, private_key: bytes
) -> Iterator[bytes]:
    """The unscrubbed original, for a user holding a sealed original key."""
    sealed = OriginalKey.objects.get(attachment=attachment, user=user).sealed_key
    key = crypto.open_as_staff(bytes(sealed), private_key)
    with default_storage.open(attachment.original_blob_name, "rb") as handle:
        yield from crypto.decrypt_stream(key, handle)


def sweep_orphans(*, older_than: timedelta = timedelta(hours=2)) -> int:
    """Delete stored blobs that no attachment refers to (left by a crash between
    writing the files and committing the rows). Returns how many were deleted.

    A blob's time is the hour it was written in (set_file_times), up to an hour
    before the write: two hours leave a write in progress at least one."""
    cutoff = timezone.now() - older_than
    referenced = set(Attachment.objects.values_list("blob_name", flat=True))
    referenced |= set(Attachment.objects.values_list("original_blob_name", flat=True))
    deleted = 0
    for name in storage.walk(BLOB_PREFIX):
        if name in referenced:
            continue
        if default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            deleted += 1
    return deleted


def _write_one(
    item: NewFile,
    data_key: bytes,
    readers: list[User],
    escrow: bytes,
    written: WrittenFiles,
) -> None:
    salt = crypto.new_salt()
    # A reporter's upload: the row and the stored files carry only the hour.
    at = coarse_now()
    with item.open_clean() as clean_copy:
        blob_name = _store(
            crypto.derive_file_key(data_key, salt), clean_copy, written, at
        )
    row = Attachment(blob_name=blob_name, key_salt=salt, created_at=at)
    keys: list[OriginalKey] = []
    if item.original is not None:
        original_key = crypto.new_data_key()
        row.original_blob_name = _store(original_key, item.original, written, at)
        row.original_escrow_key = crypto.seal_for_staff(original_key, escrow)
        keys = [
            OriginalKey(
                user=user,
                sealed_key=crypto.seal_for_staff(original_key, user.public_key_bytes()),
            )
            for user in readers
        ]
    row.details_encrypted = crypto.encrypt(
        data_key, json.dumps(item.details()).encode(), context=row.details_context()
    )
    written.rows.append(row)
    written.original_keys.append(keys)


def _store(key: bytes, source: BinaryIO, written: WrittenFiles, at: datetime) -> str:
    name = f"{BLOB_PREFIX}/{secrets.token_hex(1)}/{secrets.token_hex(16)}"
    reader = crypto.EncryptingReader(key, source)
    try:
        # django-stubs wants a typing.IO; Django's File needs only read().
        stored = default_storage.save(name, File(reader, name=name))  # type: ignore[arg-type]
        storage.set_file_times(stored, at)
    except BaseException:
        # A half-written file (a full disk, a dropped connection) goes at once.
        with contextlib.suppress(OSError):
            default_storage.delete(name)
        raise
    written.blob_names.append(stored)
    return stored
