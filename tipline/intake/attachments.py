"""Evidence files as they arrive: type checks, scrubbing and safe names.

Every file of a submission is scrubbed before anything is written, so any problem
is reported for all files at once and nothing is stored. The scrubbed files then go
to the case's evidence storage (tipline.cases.evidence), which writes them encrypted.
"""

from __future__ import annotations

import errno
import unicodedata
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from tipline.intake.sandbox import clean_upload
from tipline.intake.uploads import BoundedUpload
from tipline.scrub import Cleaned, FileRejected
from tipline.scrub.messages import (
    REJECTION_MESSAGES,
    REMOVED_LABELS,
    remaining_labels,
)

MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class PreparedFile:
    """A scrubbed upload, not stored yet: in memory or in encrypted spools."""

    name: str
    renamed: bool
    cleaned: Cleaned
    # The upload as received, when the reporter chose to keep it: read from memory,
    # or from its encrypted spool for a PDF (tipline.scrub.clean_upload).
    original: BinaryIO | None
    original_sha256: str

    def open_clean(self) -> AbstractContextManager[BinaryIO]:
        return self.cleaned.open()

    def details(self) -> dict[str, Any]:
        """What staff are shown about the file (tipline.cases.evidence.NewFile)."""
        return {
            "name": self.name,
            "content_type": self.cleaned.content_type,
            "kind": self.cleaned.kind,
            "size": self.cleaned.size,
            "removed": list(self.cleaned.removed),
            "fully_cleaned": self.cleaned.fully_cleaned,
            "remaining": [
                [part.code, part.embedded] for part in self.cleaned.remaining
            ],
            "sha256": self.cleaned.sha256,
            "original_sha256": self.original_sha256,
            "original_kept": self.original is not None,
        }

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
