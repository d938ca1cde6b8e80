"""Receiving uploaded files encrypted as they arrive, within size limits.

Django's default handlers spool large uploads to a temporary file: plaintext
evidence on disk, which the design forbids. Keeping every upload in memory
instead costs a web process the whole file for as long as it is being scrubbed
and stored. This handler writes each upload into an EncryptedSpool as it arrives:
an unlinked temporary file of ciphertext under a key that exists only in the
process's memory, which the scrubbers can read back from any position. Past the
per-file or per-request limit it stops keeping the file's bytes (it still reads
the rest of the request, so the typed answers that follow arrive and can be shown
again) and marks the file as too large. A disk too full for the spool marks the
file as not stored, which the service reports as a full disk.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest

from tipline.crypto import EncryptedSpool


class BoundedUpload(UploadedFile):
    """An upload kept encrypted in a spool; ``too_large`` or ``storage_full`` if
    its bytes were dropped. ``file`` reads the plaintext back."""

    file: BinaryIO

    def __init__(
        self,
        *,
        spool: EncryptedSpool | None,
        too_large: bool = False,
        storage_full: bool = False,
        name: str | None,
        content_type: str | None,
        size: int | None,
        charset: str | None,
        content_type_extra: dict[str, bytes] | None,
    ) -> None:
        super().__init__(
            file=spool.reader() if spool else io.BytesIO(),
            name=name,
            content_type=content_type,
            size=size,
            charset=charset,
            content_type_extra=content_type_extra,
        )
        self.spool = spool
        self.too_large = too_large
        self.storage_full = storage_full

    @property
    def sha256(self) -> str:
        """SHA-256 of the whole upload, computed as it arrived."""
        return self.spool.sha256 if self.spool else ""

    def close(self) -> None:
        super().close()
        if self.spool is not None:
            self.spool.close()


class BoundedSpoolUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.total = 0
        self.spool: EncryptedSpool | None = None
        self.too_large = False
        self.storage_full = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.too_large = self.storage_full = False
        try:
            self.spool = EncryptedSpool()
        except OSError:
            self._drop(storage_full=True)
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.spool is None:
            return None
        self.total += len(raw_data)
        if (
            self.spool.size + len(raw_data) > settings.MAX_FILE_BYTES
            or self.total > settings.MAX_REPORT_FILE_BYTES
        ):
            self._drop(too_large=True)  # the rest of this file is discarded
            return None
        try:
            self.spool.write(raw_data)
        except OSError:
            self._drop(storage_full=True)
        return None

    def file_complete(self, file_size: int) -> BoundedUpload:
        spool, self.spool = self.spool, None
        if spool is not None:
            try:
                spool.finish()
            except OSError:
                spool.close()
                spool, self.storage_full = None, True
        return BoundedUpload(
            spool=spool,
            too_large=self.too_large,
            storage_full=self.storage_full,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def _drop(self, *, too_large: bool = False, storage_full: bool = False) -> None:
        if self.spool is not None:
            self.spool.close()
        self.spool = None
        self.too_large = self.too_large or too_large
        self.storage_full = self.storage_full or storage_full
