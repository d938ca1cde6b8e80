"""Reward policy, tiers, budgets, proposals, approvals, offers, claims and payouts
(issue 14, points 1 to 6)."""

from __future__ import annotations

__all__: list[str] = []
