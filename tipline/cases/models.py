from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tipline.accounts.models import NO_CASE_ACCESS

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


class Outcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")
    UNFOUNDED = "unfounded", _("Unfounded")
    MALICIOUS = "malicious", _("Knowingly false (malicious)")
    DUPLICATE = "duplicate", _("Duplicate")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    REFERRED = "referred", _("Referred")


# The only moves a case can make; closing needs an outcome, reopening is allowed
# (new information arrives) and goes back to review.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ACKNOWLEDGED, Status.CLOSED}),
    Status.ACKNOWLEDGED: frozenset({Status.UNDER_REVIEW, Status.CLOSED}),
    Status.UNDER_REVIEW: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.UNDER_REVIEW}),
}

# What the reporter is told when the case closes. "Malicious" is never shown: a
# reporter accused of lying is told the same as one whose report was unfounded.
REPORTER_OUTCOME = {
    Outcome.SUBSTANTIATED: _("Action has been taken on the basis of your report."),
    Outcome.UNFOUNDED: _("We looked into it and found no grounds to act further."),
    Outcome.MALICIOUS: _("We looked into it and found no grounds to act further."),
    Outcome.DUPLICATE: _("It was handled together with another report."),
    Outcome.OUT_OF_SCOPE: _("It is outside what this service can handle."),
    Outcome.REFERRED: _("It was passed to the authority responsible."),
}


class Channel(models.TextChoices):
    """How a report reached the service (issue 15, point 6); operator intake
    for phone, post and in person follows in issue 17."""

    WEB = "web", _("Web form")
    APP = "app", _("App")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")
    IN_PERSON = "in_person", _("In person")


class Risk(models.TextChoices):
    UNASSESSED = "unassessed", _("Not assessed yet")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: User) -> CaseQuerySet:
        """Cases whose data key is sealed to ``user``: the only cases they can read.
        None for a role that never reads reports, even holding a key (one sealed
        before a change of role, say)."""
        if user.role in NO_CASE_ACCESS:
            return self.none()
        return self.filter(keys__user=user)


class Report(models.Model):
    """What a reporter submitted. Everything readable is encrypted with the report's
    data key; the staff side (Case) holds the workflow around it."""

    category = models.ForeignKey(
        "profiles.Category", on_delete=models.PROTECT, related_name="+"
    )
    # Rounded down to the hour: the exact second of a submission could be matched
    # against network logs kept elsewhere to identify the reporter.
    received_at = models.DateTimeField()
    answers_encrypted = models.BinaryField()
    # Keyed hash of the receipt (tipline.crypto.receipts), hex. Never the receipt.
    receipt_lookup = models.CharField(max_length=64, unique=True)
    # The data key encrypted under a key derived from the receipt.
    reporter_key = models.BinaryField()

    class Meta:
        # Stored by the intake app until issue 13 moved it here; the table kept its
        # name (migration 0007), so existing data stayed where it was.
        db_table = "intake_report"

    def __str__(self) -> str:
        return f"report {self.pk}"

    def answers_context(self) -> bytes:
        return f"report:{self.receipt_lookup}:answers".encode()


class Attachment(models.Model):
    """An evidence file: scrubbed, encrypted, and stored through Django's storage
    API under a random name. Its name, type and what was removed are encrypted
    with the report's data key (``details_encrypted``)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        "Message", null=True, on_delete=models.CASCADE, related_name="attachments"
    )
    blob_name = models.CharField(max_length=100, unique=True)
    key_salt = models.BinaryField()
    details_encrypted = models.BinaryField()
    # The unscrubbed original, when the reporter chose to keep it: encrypted under its
    # own random key, which is sealed to supervisors (OriginalKey) and the escrow key.
    original_blob_name = models.CharField(max_length=100, blank=True)
    original_escrow_key = models.BinaryField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "intake_attachment"
        ordering = ("id",)

    def __str__(self) -> str:
        return f"attachment {self.pk}"

    def details_context(self) -> bytes:
        return f"attachment:{self.blob_name}:details".encode()


class OriginalKey(models.Model):
    attachment = models.ForeignKey(
        Attachment, on_delete=models.CASCADE, related_name="original_keys"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sealed_key = models.BinaryField()

    class Meta:
        db_table = "intake_originalkey"
        constraints = (
            models.UniqueConstraint(
                fields=["attachment", "user"], name="original_key_unique"
            ),
        )

    def __str__(self) -> str:
        return f"original key for {self.user_id} on {self.attachment_id}"


class Case(models.Model):
    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="case")
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField()
    channel = models.CharField(
        max_length=12, choices=Channel.choices, default=Channel.WEB
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Deadlines from the profile (the EU Directive's 7 days and 3 months by
    # default); null once met.
    acknowledge_due = models.DateTimeField(null=True, blank=True)
    feedback_due = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    # Bumped by every change made from a staff form: a form loaded before another
    # change is refused instead of silently overwriting it.
    version = models.PositiveIntegerField(default=0)
    risk = models.CharField(
        max_length=12, choices=Risk.choices, default=Risk.UNASSESSED
    )
    risk_note_encrypted = models.BinaryField(null=True, editable=False)
    # The inbox sorts by ``priority``. It counts the keyword points only as
    # ``keyword_floor``, rounded down to a power of two, because with distinct
    # weights an exact sum tells which words a report contains; the matched words
    # and their exact points are encrypted in ``keyword_hits_encrypted`` (issue 12).
    priority = models.IntegerField(default=0)
    keyword_floor = models.IntegerField(default=0)
    keyword_hits_encrypted = models.BinaryField(null=True, editable=False)
    # The earliest date the case may be destroyed (set on closing; issue 6 purges).
    purge_after = models.DateTimeField(null=True, blank=True)
    # Linked reports share a group: the id of the group's earliest case.
    group = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The data key sealed to the escrow key, so access can be restored by an
    # administrator holding the offline escrow private key.
    escrow_key = models.BinaryField()
    # The reporter asked to be considered for a reward or commendation (an
    # optional box on the form, issue 14 point 2).
    reward_wish = models.BooleanField(default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        indexes = (
            # The inbox walks these in sort order and stops after a page.
            models.Index(fields=["created_at", "id"]),
            models.Index(
                Coalesce("acknowledge_due", "feedback_due"),
                "created_at",
                name="case_next_due_idx",
            ),
            models.Index(fields=["team", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["-priority", "-created_at"]),
            models.Index(fields=["acknowledge_due"]),
            models.Index(fields=["feedback_due"]),
            models.Index(fields=["assignee", "-created_at"]),
        )

    def __str__(self) -> str:
        return f"case {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def reporter_status(self) -> str:
        if self.status == Status.CLOSED and self.outcome:
            closed = REPORTER_STATUS[Status.CLOSED]
            return f"{closed} {REPORTER_OUTCOME[Outcome(self.outcome)]}"
        return str(REPORTER_STATUS[Status(self.status)])

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[Status(self.status)]

    def risk_note_context(self) -> bytes:
        return f"case:{self.pk}:risk".encode()


class CaseKey(models.Model):
    """A case's data key sealed to one staff member's public key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="keys")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_keys"
    )
    sealed_key = models.BinaryField()
    # Set when a supervisor granted access to someone outside the case's team.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["case", "user"], name="case_key_unique"),
        )
        indexes = (models.Index(fields=["user", "case"]),)

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
        # The order written in, not by time: a reporter's message carries only the
        # hour, so a staff reply in that hour has a later time even when it came
        # first. Ids only grow (SQLite AUTOINCREMENT, PostgreSQL identity).
        ordering = ("id",)

    def __str__(self) -> str:
        return f"message {self.pk} on case {self.case_id}"

    @property
    def time_is_coarse(self) -> bool:
        """The reporter's messages carry only the hour (tipline.lib.clock)."""
        return self.author_kind == Author.REPORTER

    def context(self) -> bytes:
        return f"case:{self.case_id}:message:{self.form_token_hash}".encode()


class Note(models.Model):
    """An internal note between staff, encrypted with the case's data key. Never
    shown to the reporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_encrypted = models.BinaryField()
    created_at = models.DateTimeField()
    form_token_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"note {self.pk} on case {self.case_id}"

    def context(self) -> bytes:
        return f"case:{self.case_id}:note:{self.form_token_hash}".encode()


class Redaction(models.Model):
    """A name or detail hidden from the working view of a case (data minimisation).

    The term itself is encrypted with the case's data key; the record it hides in
    is unchanged, so evidence stays intact.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="redactions")
    term_encrypted = models.BinaryField()
    salt = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"redaction {self.pk} on case {self.case_id}"

    def context(self) -> bytes:
        return f"case:{self.case_id}:redaction:{bytes(self.salt).hex()}".encode()


class LinkState(models.TextChoices):
    SUGGESTED = "suggested", _("Likely duplicate")
    LINKED = "linked", _("Linked")
    DISMISSED = "dismissed", _("Dismissed")


class CaseLink(models.Model):
    """A likely or confirmed relation between a case and an earlier one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField(null=True, blank=True)
    state = models.CharField(
        max_length=12, choices=LinkState.choices, default=LinkState.SUGGESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Not stored: set by selectors.links_for, the case at the other end of the link
    # from the one on the page.
    related: Case

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["case", "other"], name="case_link_unique"),
        )
        indexes = (models.Index(fields=["other", "state"]),)

    def __str__(self) -> str:
        return f"{self.case_id} ~ {self.other_id} ({self.state})"


class CaseStatistic(models.Model):
    """Anonymous counts that outlive purged cases: how many reports a category
    received in a month through a channel, and how they ended. Nothing here
    points to a report."""

    month = models.DateField()
    profile = models.SlugField()
    category = models.SlugField(max_length=40)
    channel = models.CharField(max_length=12, default=Channel.WEB)
    outcome = models.CharField(max_length=20, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["month", "profile", "category", "channel", "outcome"],
                name="case_statistic_unique",
            ),
        )

    def __str__(self) -> str:
        kind = f"{self.category} {self.channel} {self.outcome}"
        return f"{self.month:%Y-%m} {kind}: {self.count}"


class TimingKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Days to acknowledge")
    CLOSE = "close", _("Days to close")


class CaseTiming(models.Model):
    """How long purged cases took, as anonymous histograms, so that the
    published medians and outcomes do not change when retention destroys the
    cases behind them: per month acknowledged (or closed), how many cases took
    ``days`` whole days, and for closing with which outcome."""

    month = models.DateField()
    profile = models.SlugField()
    kind = models.CharField(max_length=12, choices=TimingKind.choices)
    outcome = models.CharField(max_length=20, blank=True)
    days = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["month", "profile", "kind", "outcome", "days"],
                name="case_timing_unique",
            ),
        )

    def __str__(self) -> str:
        return (
            f"{self.month:%Y-%m} {self.kind} {self.outcome} {self.days}d: {self.count}"
        )


class RetentionPeriod(models.Model):
    """How long closed cases with one outcome are kept, as set by administrators.

    An outcome without a row is kept for the deployment's default
    (``RETENTION_UNFOUNDED_DAYS`` or ``RETENTION_CLOSED_DAYS``).
    """

    outcome = models.CharField(max_length=20, choices=Outcome.choices, unique=True)
    days = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.outcome}: {self.days} days"
