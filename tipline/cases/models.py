from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from tipline.accounts.models import User


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    UNDER_REVIEW = "under_review", _("Under review")
    CLOSED = "closed", _("Closed")


# What the reporter sees for each status: plain words, no internal jargon.
REPORTER_STATUS = {
    Status.NEW: _("Received. It has not been read yet."),
    Status.ACKNOWLEDGED: _("Received and read by our staff."),
    Status.UNDER_REVIEW: _("Being looked into."),
    Status.CLOSED: _("Our work on this report has finished."),
}


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: User) -> CaseQuerySet:
        """Cases whose data key is sealed to ``user``: the only cases they can read."""
        return self.filter(keys__user=user)


class Case(models.Model):
    report = models.OneToOneField(
        "intake.Report", on_delete=models.PROTECT, related_name="case"
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField()
    # The data key sealed to the escrow key, so access can be restored by an
    # administrator holding the offline escrow private key.
    escrow_key = models.BinaryField()

    objects = CaseQuerySet.as_manager()

    class Meta:
        indexes = (models.Index(fields=["team", "-created_at"]),)

    def __str__(self) -> str:
        return f"case {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def reporter_status(self) -> str:
        return str(REPORTER_STATUS[Status(self.status)])


class CaseKey(models.Model):
    """A case's data key sealed to one staff member's public key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="keys")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_keys"
    )
    sealed_key = models.BinaryField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["case", "user"], name="case_key_unique"),
        )

    def __str__(self) -> str:
        return f"key for {self.user_id} on case {self.case_id}"


class Author(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    STAFF = "staff", _("Staff")


class Message(models.Model):
    """A message between staff and the reporter, encrypted with the case's data key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_encrypted = models.BinaryField()
    created_at = models.DateTimeField()
    # Keyed hash of the one-time token in the form that sent it: a resubmitted
    # form (double click, reload) cannot post the same message twice.
    form_token_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = (
            "created_at",
            "id",
        )

    def __str__(self) -> str:
        return f"message {self.pk} on case {self.case_id}"

    def context(self) -> bytes:
        return f"case:{self.case_id}:message:{self.form_token_hash}".encode()
