"""Reading a reward policy from its data file (tipline/rewards/data/<slug>.toml)
and checking it, with errors that say which tier and which field is wrong.

Amounts are integers in minor units; a float, a string, a boolean or a negative
number is refused, never rounded.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tipline.rewards import currencies
from tipline.rewards.models import ShareRule

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("en", "zh-hans")


class PolicyInvalid(ValueError):
    """A policy file, or an administrator's change, that breaks a rule."""


@dataclass(frozen=True)
class TierData:
    slug: str
    position: int
    name: dict[str, str]
    criteria: dict[str, str]
    min_amount: int = 0
    max_amount: int | None = None
    currency: str = ""
    commendation_only: bool = False


@dataclass(frozen=True)
class PolicyData:
    share_rule: str = ShareRule.EARLIEST
    split_shares: list[int] = field(default_factory=list)
    award_schedule: dict[str, int] = field(default_factory=dict)
    tiers: list[TierData] = field(default_factory=list)
    payout_instructions: dict[str, str] = field(default_factory=dict)


def amount(value: object, where: str) -> int:
    """An amount in minor units: a non-negative integer, nothing else."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyInvalid(f"{where}: must be a whole number of minor units")
    if value < 0:
        raise PolicyInvalid(f"{where}: must not be negative")
    return value


def texts(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise PolicyInvalid(f"{where}: needs exactly {', '.join(LANGUAGES)}")
    if not all(isinstance(text, str) and text.strip() for text in value.values()):
        raise PolicyInvalid(f"{where}: each language needs some text")
    return {language: value[language].strip() for language in LANGUAGES}


def check_tier(tier: TierData) -> TierData:
    """``tier`` if its amounts and currency make sense together."""
    where = f"tier {tier.slug}"
    amount(tier.min_amount, f"{where}: min_amount")
    if tier.max_amount is not None:
        amount(tier.max_amount, f"{where}: max_amount")
        if tier.max_amount < tier.min_amount:
            raise PolicyInvalid(f"{where}: max_amount is below min_amount")
    if tier.commendation_only:
        if tier.min_amount or tier.max_amount or tier.currency:
            raise PolicyInvalid(f"{where}: a commendation carries no amount")
    elif not currencies.is_known(tier.currency):
        raise PolicyInvalid(f"{where}: unknown currency {tier.currency!r}")
    texts(tier.name, f"{where}: name")
    texts(tier.criteria, f"{where}: criteria")
    return tier


def _tier(raw: dict[str, Any], index: int) -> TierData:
    known = set(TierData.__dataclass_fields__)
    if not isinstance(raw.get("slug"), str) or not raw["slug"]:
        raise PolicyInvalid(f"tier {index + 1}: needs a slug")
    where = f"tier {raw['slug']}"
    if unknown := set(raw) - known:
        raise PolicyInvalid(f"{where}: unknown fields {', '.join(sorted(unknown))}")
    if not isinstance(raw.get("commendation_only", False), bool):
        raise PolicyInvalid(f"{where}: commendation_only must be true or false")
    max_amount = raw.get("max_amount")
    return check_tier(
        TierData(
            slug=raw["slug"],
            position=amount(raw.get("position", index + 1), f"{where}: position"),
            name=texts(raw.get("name"), f"{where}: name"),
            criteria=texts(raw.get("criteria"), f"{where}: criteria"),
            min_amount=amount(raw.get("min_amount", 0), f"{where}: min_amount"),
            max_amount=None
            if max_amount is None
            else amount(max_amount, f"{where}: max_amount"),
            currency=str(raw.get("currency", "")),
            commendation_only=raw.get("commendation_only", False),
        )
    )


def check_shares(rule: str, shares: object) -> list[int]:
    if rule not in ShareRule.values:
        raise PolicyInvalid(f"share_rule: must be one of {', '.join(ShareRule.values)}")
    if rule == ShareRule.EARLIEST:
        if shares:
            raise PolicyInvalid("split_shares: only with share_rule = 'split'")
        return []
    if not isinstance(shares, list) or not shares:
        raise PolicyInvalid("split_shares: a list of percentages, earliest first")
    checked = [amount(share, "split_shares") for share in shares]
    if sum(checked) != 100 or 0 in checked:
        raise PolicyInvalid("split_shares: positive percentages adding up to 100")
    return checked


def parse_policy(raw: dict[str, Any]) -> PolicyData:
    """The checked policy in ``raw`` (a data file's contents)."""
    known = {
        "share_rule",
        "split_shares",
        "award_schedule",
        "tiers",
        "payout_instructions",
    }
    if unknown := set(raw) - known:
        raise PolicyInvalid(f"unknown fields {', '.join(sorted(unknown))}")
    rule = raw.get("share_rule", ShareRule.EARLIEST)
    shares = check_shares(rule, raw.get("split_shares", []))
    schedule = raw.get("award_schedule", {})
    if not isinstance(schedule, dict):
        raise PolicyInvalid("award_schedule: points per kind of outcome")
    points = {
        str(kind): amount(value, f"award_schedule: {kind}")
        for kind, value in schedule.items()
    }
    tiers = [_tier(tier, i) for i, tier in enumerate(raw.get("tiers", []))]
    slugs = [tier.slug for tier in tiers]
    if len(set(slugs)) != len(slugs):
        raise PolicyInvalid("tiers: two tiers have the same slug")
    if len({tier.currency for tier in tiers if not tier.commendation_only}) > 1:
        raise PolicyInvalid("tiers: one currency per policy, so one budget fits all")
    instructions = raw.get("payout_instructions", {})
    return PolicyData(
        share_rule=rule,
        split_shares=shares,
        award_schedule=points,
        tiers=tiers,
        payout_instructions=(
            texts(instructions, "payout_instructions") if instructions else {}
        ),
    )


def read_policy_file(profile_slug: str, directory: Path = DATA_DIR) -> PolicyData:
    """The shipped default of ``profile_slug``; an empty policy if none ships."""
    path = directory / f"{profile_slug}.toml"
    if not path.is_file():
        return PolicyData()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyInvalid(f"{path.name}: {exc}") from None
    try:
        return parse_policy(raw)
    except PolicyInvalid as exc:
        raise PolicyInvalid(f"{path.name}: {exc}") from None
