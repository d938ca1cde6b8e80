from __future__ import annotations

from django.conf import settings
from django.db import models

from tipline.audit.actions import REPORTER_ACTIONS


class AuditEvent(models.Model):
    """One security-relevant event. Rows are only ever appended.

    ``entry_hash`` covers this row's fields and the previous row's hash, so editing,
    removing or inserting a row breaks the chain from that point on.
    """

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=50)
    target = models.CharField(max_length=100, blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # Not stored: the event in words, set where a page lists events
    # (cases.selectors.history_of).
    summary: str

    class Meta:
        ordering = ("id",)
        indexes = (models.Index(fields=["target", "id"]),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action}"

    @property
    def time_is_coarse(self) -> bool:
        """Whether ``at`` is a reporter's time, kept only to the hour."""
        return self.actor_id is None and self.action in REPORTER_ACTIONS


class ChainHead(models.Model):
    """A single row holding the latest hash; locking it serialises appends."""

    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head #{self.count}"
