from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from tipline.lib.i18n import localized


class Profile(models.Model):
    """A set of categories and public guidance, loaded from a profile file."""

    slug = models.SlugField(unique=True)
    name = models.JSONField()
    intro = models.JSONField()
    not_suspicious = models.JSONField(default=list)
    # Whether the report form's "also keep the untouched originals" box starts
    # ticked. The reporter decides for each report and message; nothing is kept
    # unless they leave it ticked (issue 11, point 4).
    originals_default = models.BooleanField(default=False)
    # Public texts that differ between profiles, by key, each {"en": …, "zh-hans": …}
    # (tipline.intake.profiles.PUBLIC_TEXTS lists the keys and their fallbacks).
    texts = models.JSONField(default=dict)
    # Deadlines for staff: acknowledge within N days, give feedback within N days
    # (EU Whistleblowing Directive, Art. 9: 7 days and 3 months).
    acknowledge_days = models.PositiveSmallIntegerField(default=7)
    feedback_days = models.PositiveSmallIntegerField(default=90)
    # Whether the follow-up page shows the reporter their own report's text. Anyone
    # holding the receipt sees what is shown, so a profile may choose not to.
    followup_shows_report = models.BooleanField(default=True)
    active = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.slug

    @property
    def title(self) -> str:
        return localized(self.name)


class Category(models.Model):
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="categories"
    )
    slug = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.JSONField()
    description = models.JSONField()
    examples = models.JSONField(default=dict)
    fields = models.JSONField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("position",)
        constraints = (
            models.UniqueConstraint(
                fields=["profile", "slug"], name="category_slug_unique"
            ),
        )
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.profile.slug}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("intake:form", args=[self.slug])

    @property
    def local_title(self) -> str:
        return localized(self.title)

    @property
    def local_description(self) -> str:
        return localized(self.description)

    @property
    def local_examples(self) -> list[str]:
        examples = localized(self.examples)
        return examples if isinstance(examples, list) else []


class Report(models.Model):
    """What a reporter submitted. Everything readable is encrypted with the report's
    data key; the staff side (cases.Case) holds the workflow around it."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    # Rounded down to the hour: the exact second of a submission could be matched
    # against network logs kept elsewhere to identify the reporter.
    received_at = models.DateTimeField()
    answers_encrypted = models.BinaryField()
    # Keyed hash of the receipt (tipline.crypto.receipts), hex. Never the receipt.
    receipt_lookup = models.CharField(max_length=64, unique=True)
    # The data key encrypted under a key derived from the receipt.
    reporter_key = models.BinaryField()

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
        "cases.Message", null=True, on_delete=models.CASCADE, related_name="attachments"
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
        constraints = (
            models.UniqueConstraint(
                fields=["attachment", "user"], name="original_key_unique"
            ),
        )

    def __str__(self) -> str:
        return f"original key for {self.user_id} on {self.attachment_id}"


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
