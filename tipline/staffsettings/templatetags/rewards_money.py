"""``{{ amount|money:currency }}``: an amount in minor units as people read it."""

from __future__ import annotations

from django import template

from tipline.rewards.models import money as _money

register = template.Library()


@register.filter
def money(amount: int, currency: str) -> str:
    return _money(amount, currency) if currency else str(amount)
