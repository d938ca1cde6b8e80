from __future__ import annotations

from django.db import models


class BrowserHandle(models.Model):
    """What a reporter's browser handle opens: the receipt page for a few minutes, a
    follow-up sign-in, a draft kept across a language change, or the right to see a
    receipt again when the same form is sent twice (tipline.crypto.handles).

    Everything but the lookup value and a coarse purge hour is encrypted under a key
    derived from the handle, which only the browser holds. The exact expiry is inside
    the ciphertext: a clear one would date the reporter's visit to the minute.
    """

    lookup = models.CharField(max_length=64, unique=True)
    sealed = models.BinaryField()
    # Rounded up to the hour; the hourly sweep deletes rows past it.
    purge_after = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"browser handle {self.pk}"

    def context(self) -> bytes:
        return f"browser-handle:{self.lookup}".encode()
