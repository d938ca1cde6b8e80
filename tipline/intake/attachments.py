"""Evidence files: scrubbing, encrypted storage, and reading them back.

The order of work keeps a submission whole or absent: every file is scrubbed
first (any problem is reported before anything is written), the ciphertext
is then written to storage, and the database rows follow in one transaction. If that
transaction fails the written files are deleted at once; files left behind by a
crash are removed later by ``sweep_orphans``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from tipline import crypto
from tipline.accounts.models import Role, Team, User
from tipline.intake.models import Attachment, OriginalKey, Report
from tipline.intake.sandbox import clean_upload
from tipline.intake.scrub import Cleaned, FileRejected
from tipline.intake.scrub.messages import (
    REJECTION_MESSAGES,
    REMOVED_LABELS,
    remaining_labels,
)
from tipline.intake.uploads import BoundedUpload
from tipline.lib import storage
from tipline.lib.clock import coarse_now

if TYPE_CHECKING:
    from tipline.cases.models import Message

BLOB_PREFIX = "evidence"
MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class PreparedFile:
    """A scrubbed upload, not stored yet: in memory or in encrypted spools."""

    name: str
    renamed: bool
    cleaned: Cleaned
    # The upload as received, when the reporter chose to keep it: read from memory,
    # or from its encrypted spool for a PDF (tipline.intake.scrub.clean_upload).
    original: BinaryIO | None
    original_sha256: str

    @property
    def removed_labels(self) -> list[str]:
        return [str(REMOVED_LABELS[code]) for code in self.cleaned.removed]

    @property
    def remaining_labels(self) -> list[str]:
        """What could not be removed (or checked), for the reporter."""
        return remaining_labels(self.cleaned.remaining, embedded=False)

    @property
    def remaining_embedded_labels(self) -> list[str]:
        """What could not be removed from pictures and parts inside the file."""
        return remaining_labels(self.cleaned.remaining, embedded=True)


@dataclass(frozen=True)
class FileProblem:
    name: str
    message: str


class AttachmentsRejected(Exception):
    """At least one file cannot be accepted; ``problems`` says which and why."""

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass
class WrittenFiles:
    """Ciphertext already in storage, and the rows that will point to it."""

    rows: list[Attachment] = field(default_factory=list)
    original_keys: list[list[OriginalKey]] = field(default_factory=list)
    blob_names: list[str] = field(default_factory=list)

    @property
    def originals_kept(self) -> bool:
        return any(row.original_blob_name for row in self.rows)


def prepare_uploads(
    uploads: Iterable[BoundedUpload], *, keep_originals: bool
) -> list[PreparedFile]:
    """Type-check and scrub every upload; AttachmentsRejected lists every problem.

    The untouched original travels on to storage only with ``keep_originals``
    (the reporter's choice); otherwise it is dropped here, before any write.
    """
    prepared, problems = [], []
    for upload in uploads:
        name = safe_file_name(upload.name or "")
        if upload.storage_full:
            raise OSError(errno.ENOSPC, "no space left for an upload")
        if upload.too_large:
            problems.append(FileProblem(name, _too_large_message()))
            continue
        try:
            cleaned, original = clean_upload(upload.file)
        except FileRejected as exc:
            problems.append(FileProblem(name, str(REJECTION_MESSAGES[exc.code])))
            continue
        final_name = _with_extension(name, cleaned.extension)
        prepared.append(
            PreparedFile(
                name=final_name,
                renamed=final_name != upload.name,
                cleaned=cleaned,
                original=original if keep_originals else None,
                # A hash of the untouched file could confirm a copy found on the
                # reporter's device: it is kept only with the original itself.
                original_sha256=upload.sha256 if keep_originals else "",
            )
        )
    if problems:
        raise AttachmentsRejected(problems)
    return prepared


def safe_file_name(raw: str) -> str:
    """A display name without paths, control characters or excessive length."""
    name = unicodedata.normalize("NFC", raw)
    name = PurePosixPath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > MAX_NAME_CHARS:
        suffix = PurePosixPath(name).suffix[:10]
        name = name[: MAX_NAME_CHARS - len(suffix)] + suffix
    return name or _("file")


def write_files(
    prepared: list[PreparedFile],
    *,
    data_key: bytes,
    original_readers: list[User],
    escrow_public_key: bytes,
) -> WrittenFiles:
    """Encrypt each file into storage; on any failure, delete what was written."""
    written = WrittenFiles()
    try:
        for item in prepared:
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
    item: PreparedFile,
    data_key: bytes,
    readers: list[User],
    escrow: bytes,
    written: WrittenFiles,
) -> None:
    salt = crypto.new_salt()
    # A reporter's upload: the row and the stored files carry only the hour.
    at = coarse_now()
    with item.cleaned.open() as clean_copy:
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
        data_key, json.dumps(_details(item)).encode(), context=row.details_context()
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


def _details(item: PreparedFile) -> dict[str, Any]:
    return {
        "name": item.name,
        "content_type": item.cleaned.content_type,
        "kind": item.cleaned.kind,
        "size": item.cleaned.size,
        "removed": list(item.cleaned.removed),
        "fully_cleaned": item.cleaned.fully_cleaned,
        "remaining": [[part.code, part.embedded] for part in item.cleaned.remaining],
        "sha256": item.cleaned.sha256,
        "original_sha256": item.original_sha256,
        "original_kept": item.original is not None,
    }


def _with_extension(name: str, extension: str) -> str:
    # The stored type is decided by content; the name's extension follows it, so a
    # staff member's computer opens the file with the right program.
    stem = PurePosixPath(name)
    if stem.suffix.lower() == extension:
        return name
    if stem.suffix.lower() in {".jpeg", ".jpe"} and extension == ".jpg":
        return name
    return f"{stem.stem or name}{extension}"


def _too_large_message() -> str:
    return _(
        "This file is larger than %(limit)s MB, or the files together are "
        "larger than %(total)s MB. Send a smaller file or fewer files."
    ) % {
        "limit": settings.MAX_FILE_BYTES // (1024 * 1024),
        "total": settings.MAX_REPORT_FILE_BYTES // (1024 * 1024),
    }
