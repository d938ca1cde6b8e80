"""Offers to reporters, claim codes and payouts (issue 14, points 5 and 6).

A claim code is never stored: only its keyed hash (``claim_lookup``), as with
receipts, so a copy of the database does not let anyone claim a reward.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Offer", "OfferStatus", "PayoutMethod"]


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PAID = "paid", _("Paid")


class PayoutMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class Offer(models.Model):
    """An approved share of a reward, offered to the reporter of one case."""

    share = models.OneToOneField(
        "rewards.Share", on_delete=models.CASCADE, related_name="offer"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    # Reporter's answers carry the hour only (tipline.lib.clock).
    offered_at = models.DateTimeField()
    answer_by = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    # Keyed hash of the claim code (hex); the code itself is shown once.
    claim_lookup = models.CharField(max_length=64, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=20, choices=PayoutMethod.choices, blank=True)
    # The payment's own reference (a transfer number): never the claimant's name.
    reference = models.CharField(max_length=100, blank=True)
    # What the reporter chose to give for the payout (a name, an account), only if
    # they chose to: encrypted with the case's data key, so only those who can
    # read the case read it. Null: they gave nothing.
    identity_encrypted = models.BinaryField(null=True, editable=False)
    # The commendation certificate's verification code, sealed under a key only
    # the receipt derives (tipline.crypto.reporter_secret_key): the reporter can
    # download it again, and nobody holding the database learns which document
    # belongs to which case.
    certificate_sealed = models.BinaryField(null=True, editable=False)
    # Why a rewards approver withdrew the offer, encrypted with the case.
    withdraw_reason_encrypted = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ("-offered_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="offer_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="offer_paid_has_date",
            ),
            models.UniqueConstraint(
                fields=["claim_lookup"],
                condition=~Q(claim_lookup=""),
                name="offer_claim_lookup_unique",
            ),
        )

    def __str__(self) -> str:
        return f"offer {self.pk} on case {self.case_id} ({self.status})"

    def identity_context(self) -> bytes:
        return f"offer:{self.pk}:identity".encode()

    def certificate_context(self) -> bytes:
        return f"offer:{self.pk}:certificate".encode()

    def withdraw_context(self) -> bytes:
        return f"offer:{self.pk}:withdrawn".encode()
