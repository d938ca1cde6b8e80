"""``{{ amount|money:currency }}``: an amount in minor units as people read it;
``{{ amount|major:currency }}``: the number alone, for a column whose heading
names the currency."""

from __future__ import annotations

from django import template

from tipline.rewards.currencies import to_major
from tipline.rewards.models import money as _money

register = template.Library()


@register.filter
def money(amount: int, currency: str) -> str:
    return _money(amount, currency) if currency else str(amount)


@register.filter
def major(amount: int, currency: str) -> str:
    return to_major(amount, currency) if currency else str(amount)
