"""The result of scrubbing a file, the rejection error, and every code either uses.

The codes are the contract with the reporter-facing messages in ``messages.py``:
every code listed here has a label there, and nothing outside these lists can be
emitted, because ``FileRejected`` and ``ordered`` refuse unknown codes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from tipline.crypto import EncryptedSpool

# Stable reporting order: the most identifying kinds of metadata come first.
REMOVED_CODES: tuple[str, ...] = (
    "gps",
    "camera_serial",
    "camera_model",
    "author",
    "last_modified_by",
    "comment_authors",
    "company",
    "file_path",
    "template",
    "title",
    "datetime",
    "software",
    "revision_ids",
    "document_ids",
    "custom_properties",
    "custom_xml",
    "signature",
    "xmp",
    "iptc",
    "comment",
    "thumbnail",
    "colour_profile",
    "colour_profile_details",
    "embedded_image_metadata",
    "embedded_files",
    "javascript",
    "tags",
    "cover_art",
    "other_exif",
    "other_metadata",
)

# What the final check (``verify``) can still find in a cleaned file, in the
# same order: kinds of metadata, then what it could not look into.
REMAINING_CODES: tuple[str, ...] = (
    "gps",
    "camera_serial",
    "camera_model",
    "author",
    "title",
    "datetime",
    "software",
    "xmp",
    "iptc",
    "comment",
    "other_exif",
    "video_metadata",
    "embedded_object",
    "unchecked",
)

REJECTION_CODES: tuple[str, ...] = (
    "empty",
    "unsupported_type",
    "damaged",
    "too_many_pixels",
    "encrypted",
    "zip_bomb",
    "polyglot",
    # The file passed the sandbox's CPU, memory or time limit (tipline.intake.sandbox).
    "too_costly",
)


@dataclass(frozen=True, order=True)
class Remaining:
    """Metadata still in a cleaned file: what (a REMAINING_CODES code), and
    whether it is inside something embedded (a picture in a document, an
    attached part) rather than in the file itself."""

    code: str
    embedded: bool = False

    def __post_init__(self) -> None:
        if self.code not in REMAINING_CODES:
            raise ValueError(f"unknown remaining code {self.code!r}")


@dataclass(frozen=True)
class Cleaned:
    """A file that passed the allowlist, with identifying metadata removed.

    ``data`` is the cleaned file in memory, or, for outputs too large to hold next
    to their input (PDF), an encrypted spool of it. ``remaining`` is what the final
    check still found in ``data`` (or could not check); ``fully_cleaned`` is True
    only when nothing remains.
    """

    data: bytes | EncryptedSpool
    kind: str
    content_type: str
    extension: str
    removed: tuple[str, ...]
    fully_cleaned: bool
    remaining: tuple[Remaining, ...] = ()

    @property
    def size(self) -> int:
        return len(self.data) if isinstance(self.data, bytes) else self.data.size

    @property
    def sha256(self) -> str:
        if isinstance(self.data, bytes):
            return hashlib.sha256(self.data).hexdigest()
        return self.data.sha256

    def open(self) -> BinaryIO:
        """The cleaned file's bytes as a readable file object."""
        if isinstance(self.data, bytes):
            return io.BytesIO(self.data)
        return self.data.reader()


class FileRejected(Exception):
    """The file is not accepted; ``code`` says why (see REJECTION_CODES)."""

    def __init__(self, code: str) -> None:
        # An unknown code would reach the reporter without a message.
        if code not in REJECTION_CODES:
            raise ValueError(f"unknown rejection code {code!r}")
        super().__init__(code)
        self.code = code


def ordered(found: Iterable[str]) -> tuple[str, ...]:
    """The found removal codes in the stable reporting order, without duplicates."""
    found = set(found)
    unknown = found.difference(REMOVED_CODES)
    if unknown:
        raise ValueError(f"unknown removal codes {sorted(unknown)!r}")
    return tuple(code for code in REMOVED_CODES if code in found)


def ordered_remaining(found: Iterable[Remaining]) -> tuple[Remaining, ...]:
    """What remains in the stable reporting order, without duplicates; a kind
    found in the file itself is not repeated as found inside an embedded part."""
    found = set(found)
    direct = {item.code for item in found if not item.embedded}
    kept = {item for item in found if not item.embedded or item.code not in direct}
    rank = {code: index for index, code in enumerate(REMAINING_CODES)}
    return tuple(sorted(kept, key=lambda item: (item.embedded, rank[item.code])))
