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


class HeldFile(models.Model):
    """A file a reporter chose, kept while the form is shown again (a second
    step or a confirmation) so that they need not choose it again (issue 15,
    point 3; tipline.intake.held).

    The file's bytes are in storage, encrypted under a key that only the form's
    hidden field holds; its name, type and exact expiry are sealed here under the
    same key. In clear: the hold's lookup value and a coarse purge time, at most
    an hour after the file arrived, after which the sweep deletes row and blob.
    """

    hold = models.CharField(max_length=64, db_index=True)
    position = models.PositiveSmallIntegerField()
    blob_name = models.CharField(max_length=200)
    sealed = models.BinaryField()
    purge_after = models.DateTimeField(db_index=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["hold", "position"], name="held_file_position_unique"
            ),
        )

    def __str__(self) -> str:
        return f"held file {self.pk}"

    def context(self) -> bytes:
        return f"held-file:{self.hold}:{self.position}".encode()
