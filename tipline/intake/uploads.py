"""Receiving uploaded files in memory only, within size limits.

Django's default handlers spool large uploads to a temporary file: plaintext
evidence on disk, which the design forbids. This handler keeps every upload in
memory and, past the per-file or per-request limit, stops keeping the file's bytes
(it still reads the rest of the request, so the typed answers that follow arrive
and can be shown again) and marks the file as too large.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


class BoundedUpload(InMemoryUploadedFile):
    """An upload held in memory; ``too_large`` if its bytes were dropped."""

    def __init__(self, *args: Any, too_large: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large


class BoundedMemoryUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.total = 0
        self.buffer: BytesIO | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.buffer is None:
            return None
        self.total += len(raw_data)
        if (
            self.buffer.tell() + len(raw_data) > settings.MAX_FILE_BYTES
            or self.total > settings.MAX_REPORT_FILE_BYTES
        ):
            self.buffer = None  # drop what was kept; the rest is discarded
            return None
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> BoundedUpload:
        too_large = self.buffer is None
        buffer = self.buffer or BytesIO()
        buffer.seek(0)
        self.buffer = None
        return BoundedUpload(
            file=buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
            too_large=too_large,
        )
