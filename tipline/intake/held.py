"""Files kept across a second step of the report form, never as plaintext on disk.

When the server shows the report form again (a conditional question to answer, a
reminder to confirm, a field to correct), the files the reporter chose are in that
request, and a browser cannot refill a file input. Instead of asking for them
again, each file is encrypted under a fresh random key (secretstream, one key per
file derived from the hold's key) and stored through Django's storage; its name
and type are sealed in a row beside it. The hold's id and key travel only in a
hidden field of the form shown again (the POST body): never in a URL, a cookie or
a log. The next POST opens them again into encrypted spools, where they join the
new uploads on the normal path (limits, scrubbing, idempotency).

Threats handled: a copy of the database and the file store reveals neither the
files nor their names (the key is only in the reporter's page); a tampered,
replayed or expired field opens nothing (HeldFilesLost, and the reporter is told
to choose the files again); held files are deleted when the report is stored, or
by the hourly sweep at most an hour after they arrived.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from tipline import crypto
from tipline.intake.attachments import safe_file_name
from tipline.intake.models import HeldFile
from tipline.intake.uploads import BoundedUpload
from tipline.lib import storage

FIELD = "held_files"
DROP_FIELD = "drop_held"
BLOB_PREFIX = "held"
# A hold opens for 45 minutes; its rows are purged at the next quarter hour after
# that, so nothing held outlives the hour after it arrived.
LIFETIME = timedelta(minutes=45)
PURGE_STEP = 15 * 60
_PURPOSE = "held-files"


class HeldFilesLost(Exception):
    """The hidden field opens no held files: malformed, altered or expired."""


@dataclass(frozen=True)
class HeldSummary:
    position: int
    name: str


@dataclass(frozen=True)
class Hold:
    """What the form shown again carries: the hidden field and the files' names."""

    token: str
    files: list[HeldSummary]


def hold_files(uploads: Iterable[BoundedUpload]) -> Hold | None:
    """Encrypt and store every complete upload under a fresh hold; None if there
    is nothing to hold. A file that was too large or not stored is not held."""
    keepable = [u for u in uploads if u.spool is not None and not u.too_large]
    if not keepable:
        return None
    hold_id, key = crypto.new_handle(), crypto.new_data_key()
    lookup = _lookup(hold_id)
    expires = timezone.now() + LIFETIME
    rows, summaries = [], []
    try:
        for position, upload in enumerate(keepable):
            rows.append(_hold_one(upload, lookup, position, key, expires))
            summaries.append(HeldSummary(position, safe_file_name(upload.name or "")))
        HeldFile.objects.bulk_create(rows)
    except BaseException:
        _delete_blobs(row.blob_name for row in rows)
        raise
    token = f"{crypto.encode_handle(hold_id)}.{_encode(key)}"
    return Hold(token=token, files=summaries)


def open_held(token: str, *, dropped: Sequence[str] = ()) -> list[BoundedUpload]:
    """The held files as uploads (in fresh encrypted spools), without the
    positions in ``dropped``; HeldFilesLost if the token opens nothing."""
    hold_id, key = _decode(token)
    rows = list(HeldFile.objects.filter(hold=_lookup(hold_id)).order_by("position"))
    if not rows:
        raise HeldFilesLost
    uploads = []
    try:
        for row in rows:
            details = _details(row, key)
            if str(row.position) not in dropped:
                uploads.append(_reopen(row, key, details))
    except BaseException:
        for upload in uploads:
            upload.close()
        raise
    return uploads


def release_held(token: str) -> None:
    """Delete the held files of ``token`` (the report was stored, or the form is
    shown again with a new hold). A token that opens nothing is ignored."""
    try:
        hold_id, _key = _decode(token)
    except HeldFilesLost:
        return
    rows = HeldFile.objects.filter(hold=_lookup(hold_id))
    names = list(rows.values_list("blob_name", flat=True))
    rows.delete()
    _delete_blobs(names)


def join_within_limits(
    held: Sequence[BoundedUpload], new: Sequence[BoundedUpload]
) -> list[BoundedUpload]:
    """Held files first, then the new ones; past the per-report limit a file is
    marked too large, as the upload handler would have marked it."""
    joined, total = [*held, *new], 0
    for upload in joined:
        total += upload.size or 0
        if total > settings.MAX_REPORT_FILE_BYTES:
            upload.too_large = True
    return joined


def sweep_expired_holds(*, now: datetime | None = None) -> int:
    """Delete held files past their purge time, and blobs no row refers to (a
    crash between the write and the row) once they are an hour old."""
    now = now or timezone.now()
    expired = HeldFile.objects.filter(purge_after__lte=now)
    names = list(expired.values_list("blob_name", flat=True))
    deleted, _ = expired.delete()
    _delete_blobs(names)
    referenced = set(HeldFile.objects.values_list("blob_name", flat=True))
    for name in storage.walk(BLOB_PREFIX):
        if name not in referenced and default_storage.get_modified_time(
            name
        ) < now - timedelta(hours=1):
            default_storage.delete(name)
            deleted += 1
    return deleted


def _hold_one(
    upload: BoundedUpload, lookup: str, position: int, key: bytes, expires: datetime
) -> HeldFile:
    salt = crypto.new_salt()
    name = f"{BLOB_PREFIX}/{secrets.token_hex(16)}"
    upload.file.seek(0)
    reader = crypto.EncryptingReader(crypto.derive_file_key(key, salt), upload.file)
    try:
        # django-stubs wants a typing.IO; Django's File needs only read().
        stored = default_storage.save(name, File(reader, name=name))  # type: ignore[arg-type]
    except BaseException:
        with contextlib.suppress(OSError):
            default_storage.delete(name)
        raise
    upload.file.seek(0)
    row = HeldFile(
        hold=lookup, position=position, blob_name=stored, purge_after=_purge(expires)
    )
    details = {
        "name": upload.name or "",
        "content_type": upload.content_type or "",
        "size": upload.size or 0,
        "salt": _encode(salt),
        "expires": expires.timestamp(),
    }
    row.sealed = crypto.encrypt(
        key, json.dumps(details).encode(), context=row.context()
    )
    return row


def _details(row: HeldFile, key: bytes) -> dict[str, object]:
    try:
        plain = crypto.decrypt(key, bytes(row.sealed), context=row.context())
    except crypto.DecryptionFailed:
        raise HeldFilesLost from None
    details: dict[str, object] = json.loads(plain)
    if float(str(details["expires"])) <= timezone.now().timestamp():
        raise HeldFilesLost
    return details


def _reopen(row: HeldFile, key: bytes, details: dict[str, object]) -> BoundedUpload:
    file_key = crypto.derive_file_key(key, _raw(str(details["salt"])))
    spool = crypto.EncryptedSpool()
    try:
        with default_storage.open(row.blob_name, "rb") as blob:
            for chunk in crypto.decrypt_stream(file_key, blob):
                spool.write(chunk)
        spool.finish()
    except (crypto.DecryptionFailed, FileNotFoundError):
        spool.close()
        raise HeldFilesLost from None
    except BaseException:
        spool.close()
        raise
    return BoundedUpload(
        spool=spool,
        name=str(details["name"]),
        content_type=str(details["content_type"]),
        size=spool.size,
        charset=None,
        content_type_extra=None,
    )


def _decode(token: str) -> tuple[bytes, bytes]:
    hold_text, _, key_text = token.partition(".")
    try:
        hold_id = crypto.decode_handle(hold_text)
        key = _raw(key_text)
    except (crypto.MalformedHandle, ValueError):
        raise HeldFilesLost from None
    if len(key) != crypto.KEY_BYTES:
        raise HeldFilesLost
    return hold_id, key


def _lookup(hold_id: bytes) -> str:
    return crypto.derive_handle_keys(hold_id, purpose=_PURPOSE).lookup


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _raw(text: str) -> bytes:
    if not text.isascii() or len(text) > 100:
        raise ValueError(text)
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(text) from None


def _purge(expires: datetime) -> datetime:
    steps = int(expires.timestamp() // PURGE_STEP) + 1
    return datetime.fromtimestamp(steps * PURGE_STEP, tz=UTC)


def _delete_blobs(names: Iterable[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)
