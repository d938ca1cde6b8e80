from __future__ import annotations

from django.db import models


class RoutingRule(models.Model):
    """Reports in ``category`` go to ``team``."""

    category = models.OneToOneField(
        "intake.Category", on_delete=models.CASCADE, related_name="route"
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.category} -> {self.team}"
