"""Signed certificates and acknowledgements (issue 14, points 7 and 8)."""

from __future__ import annotations

from django.db import models

__all__ = ["SignedDocument", "VerificationLoad"]


class SignedDocument(models.Model):
    """One issued certificate or acknowledgement, as /verify/ finds it.

    Only two values: a keyed hash of the verification code, and what the document
    says with its Ed25519 signature, sealed under a key derived from the code. A
    copy of the database shows how many documents exist and nothing else: no
    kind, name, date or case, and no way to test a code without the pepper.
    """

    lookup = models.CharField(max_length=64, unique=True)
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return f"signed document {self.pk}"


class VerificationLoad(models.Model):
    """PDFs checked at /verify/ in one minute, for the whole site (every web
    process counts in the same row)."""

    minute = models.DateTimeField(unique=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} checks at {self.minute:%H:%M}"
