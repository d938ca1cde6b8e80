from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingRule(models.Model):
    """Reports in ``category`` go to ``team``."""

    category = models.OneToOneField(
        "profiles.Category", on_delete=models.CASCADE, related_name="route"
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.category} -> {self.team}"


class TextFingerprint(models.Model):
    """Keyed MinHash signature of a case's text: enough to estimate similarity, never
    the text (tipline.triage.similarity).

    Triage is a leaf below cases: it knows a case by its id only. The case's owner
    deletes the fingerprint with the case (tipline.triage.duplicates.forget)."""

    case_id = models.BigIntegerField(unique=True)
    signature = models.BinaryField()

    def __str__(self) -> str:
        return f"fingerprint of case {self.case_id}"


class FingerprintBand(models.Model):
    """One LSH band of a case's signature, as a keyed 64-bit hash: cases that share
    a band value are candidate near-duplicates."""

    case_id = models.BigIntegerField(db_index=True)
    value = models.BigIntegerField()

    class Meta:
        # With the case id in the index, the lookup reads the index alone.
        indexes = (
            models.Index(
                fields=["value", "case_id"], name="triage_fing_value_7a9d76_idx"
            ),
        )

    def __str__(self) -> str:
        return f"band {self.value} of case {self.case_id}"


class PriorityRule(models.Model):
    """One part of the priority score, set by administrators."""

    class Kind(models.TextChoices):
        CATEGORY = "category", _("Category")
        KEYWORD = "keyword", _("Keyword in the report")
        LINKED = "linked", _("Each linked report")
        AGE = "age", _("Each day without a decision")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    category = models.ForeignKey(
        "profiles.Category", null=True, blank=True, on_delete=models.CASCADE
    )
    keyword = models.CharField(max_length=100, blank=True)
    weight = models.IntegerField()

    class Meta:
        ordering = ("kind", "id")

    def __str__(self) -> str:
        return f"{self.kind} {self.category_id or self.keyword} {self.weight:+d}"
