"""Loading profiles: files that define categories and their questionnaires."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tipline.lib.i18n import localized
from tipline.lib.markdown import MAX_SOURCE_CHARS
from tipline.lib.pagecache import forget_pages
from tipline.profiles import guardrail
from tipline.profiles.models import Category, GuidancePage, GuidanceSlug, Profile

PROFILE_DIR = Path(__file__).resolve().parent / "data"
# Each profile's default guidance pages: <profile slug>.toml here, or in a
# "guidance" folder beside a profile file given by path.
GUIDANCE_DIR = "guidance"
GUIDANCE_TITLE_CHARS = 200
FIELD_TYPES = {"text", "textarea", "date", "choice", "multichoice"}
CHOICE_TYPES = {"choice", "multichoice"}
TEXT_LIMITS = {"text": 2000, "textarea": 50_000}
# A slug goes into URLs (/report/<slug>/) and cache keys: lower-case letters,
# digits and single hyphens, as long as the database column allows.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_LENGTHS = {"profile": 50, "category": 40}
# A question name is a form field's name beside the report form's own fields: a
# question called like one of them would shadow it (a "homepage" question trips
# the honeypot, so every report is silently dropped; "token" breaks every form).
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,49}")
RESERVED_NAMES = frozenset(
    {
        "homepage",  # the honeypot (tipline.intake.forms.HONEYPOT)
        "token",
        "proof",  # tipline.intake.proof.FIELD
        "csrfmiddlewaretoken",
        "files",
        "keep_originals",
        "draft_of",
        "next",
        "language",
        "category",  # the API's own fields
        "answers",
        "receipt",
        "body",
        "shown_questions",  # tipline.intake.forms.SHOWN_FIELD
        "held_files",  # tipline.intake.held
        "drop_held",
        "guardrail_confirmed",  # tipline.intake.forms.GUARDRAIL_FIELD
    }
)

# Public texts that each profile words for itself ([texts] in its file), with the
# neutral wording used when a profile lacks one, or when no profile can be read
# (the 500 page renders without a request or a database).
PUBLIC_TEXTS: dict[str, Promise] = {
    "site_name": _("Tipline"),
    "home_heading": _("Report safely"),
    "guidance_intro": _(
        "Reports should be about what someone did or failed to do. The following "
        "are not a reason to report in themselves, and reports based on them will "
        "not be acted upon:"
    ),
    "false_reports": _(
        "Knowingly false or malicious reports harm innocent people. They are "
        "recognised and closed."
    ),
}


class ProfileInvalid(Exception):
    """The profile file is missing or does not follow the schema."""


def available_profiles() -> list[str]:
    return sorted(path.stem for path in PROFILE_DIR.glob("*.toml"))


def read_profile(name: str) -> dict[str, Any]:
    """Parse and check a shipped profile by name, or any profile file by path."""
    path = Path(name) if name.endswith(".toml") else PROFILE_DIR / f"{name}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(available_profiles())
        raise ProfileInvalid(f"no profile {name!r} (shipped: {known})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileInvalid(f"{path}: {exc}") from None
    _check_profile(data)
    return data


@transaction.atomic
def load_profile(name: str) -> Profile:
    """Create or update a profile's categories and make it the active profile.

    Categories that the file no longer lists are deactivated, not deleted: earlier
    reports still refer to them. Each category gets a routing rule to the default
    team unless one exists.
    """
    data = read_profile(name)
    profile, _ = Profile.objects.update_or_create(
        slug=data["slug"],
        defaults={
            "name": data["name"],
            "intro": data["intro"],
            "not_suspicious": data.get("not_suspicious", []),
            "followup_shows_report": bool(data.get("followup_shows_report", True)),
            # "keep_originals" is the older name of the same setting.
            "originals_default": bool(
                data.get("originals_default", data.get("keep_originals", False))
            ),
            "texts": data.get("texts", {}),
            "elsewhere": data.get("elsewhere", []),
            "guardrail": guardrail.clean_lists(data.get("guardrail", {}), _languages()),
            "acknowledge_days": int(data.get("acknowledge_days", 7)),
            "feedback_days": int(data.get("feedback_days", 90)),
        },
    )
    Profile.objects.exclude(pk=profile.pk).update(active=False)
    profile.active = True
    profile.save(update_fields=["active"])
    slugs = [item["slug"] for item in data["categories"]]
    for position, item in enumerate(data["categories"]):
        Category.objects.update_or_create(
            profile=profile,
            slug=item["slug"],
            defaults={
                "position": position,
                "title": item["title"],
                "description": item["description"],
                "examples": item.get("examples", {}),
                "fields": item["fields"],
                "files_text": item.get("files", {}),
                "active": True,
            },
        )
    profile.categories.exclude(slug__in=slugs).update(active=False)
    load_guidance(profile, default_guidance(name, data["slug"]))
    transaction.on_commit(forget_categories)
    return profile


def default_guidance(name: str, slug: str) -> dict[str, dict[str, dict[str, str]]]:
    """The default guidance pages of the profile ``name`` (as load_profile takes
    it) whose slug is ``slug``: {page slug: {"title": texts, "body": texts}}, empty
    when none ship with it."""
    folder = Path(name).parent if name.endswith(".toml") else PROFILE_DIR
    path = folder / GUIDANCE_DIR / f"{slug}.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileInvalid(f"{path}: {exc}") from None
    _check_guidance(data, path.name)
    return data


def load_guidance(
    profile: Profile, pages: dict[str, dict[str, dict[str, str]]]
) -> None:
    """Store the default guidance pages, except those an administrator edited:
    loading a profile again must not undo their work."""
    edited = set(
        profile.guidance_pages.filter(edited=True).values_list("slug", flat=True)
    )
    order = list(GuidanceSlug.values)
    for slug, page in pages.items():
        if slug in edited:
            continue
        GuidancePage.objects.update_or_create(
            profile=profile,
            slug=slug,
            defaults={
                "position": order.index(slug),
                "title": page["title"],
                "body": page["body"],
                # Only an administrator's edit has a time. The first load can
                # happen inside a reporter's first request, and its exact time
                # would date that visit (docs/security.md, "Times of a
                # reporter's actions").
                "updated_at": None,
            },
        )


def category_cache_key(slug: str) -> str:
    return f"tipline:category:{slug}"


def forget_categories() -> None:
    """Drop the categories this process has cached (tipline.intake.selectors),
    and the public pages that show them (tipline.lib.pagecache)."""
    slugs = Category.objects.values_list("slug", flat=True)
    cache.delete_many([category_cache_key(slug) for slug in slugs])
    forget_pages()


def ensure_default_profile() -> Profile:
    """The active profile, loading the configured default on first start."""
    profile = Profile.objects.filter(active=True).first()
    return profile or load_profile(settings.DEFAULT_PROFILE)


def _check_profile(data: dict[str, Any]) -> None:
    for key in ("slug", "name", "intro", "categories"):
        if key not in data:
            raise ProfileInvalid(f"profile lacks {key!r}")
    _check_slug(data["slug"], "profile")
    _check_texts(data["name"], "name")
    _check_texts(data["intro"], "intro")
    _check_public_texts(data.get("texts", {}))
    _check_elsewhere(data.get("elsewhere", []))
    try:
        guardrail.clean_lists(data.get("guardrail", {}), _languages())
    except guardrail.GuardrailInvalid as exc:
        raise ProfileInvalid(f"guardrail: {exc}") from None
    for key in ("acknowledge_days", "feedback_days"):
        _check_number(data.get(key, 1), key, 1, 3650)
    for key in ("followup_shows_report", "originals_default", "keep_originals"):
        if not isinstance(data.get(key, False), bool):
            raise ProfileInvalid(f"{key} must be true or false")
    categories = data["categories"]
    if not isinstance(categories, list) or not categories:
        raise ProfileInvalid("categories must be a non-empty list of tables")
    seen: set[str] = set()
    for category in categories:
        slug = category.get("slug", "") if isinstance(category, dict) else ""
        _check_slug(slug, "category")
        if slug in seen:
            raise ProfileInvalid(f"category slug {slug!r} is repeated")
        seen.add(slug)
        _check_category(category, slug)


def _check_guidance(data: dict[str, Any], where: str) -> None:
    unknown = set(data) - set(GuidanceSlug.values)
    if unknown:
        raise ProfileInvalid(
            f"{where}: unknown guidance pages {sorted(unknown)} "
            f"(known: {', '.join(GuidanceSlug.values)})"
        )
    for slug, page in data.items():
        if not isinstance(page, dict) or set(page) != {"title", "body"}:
            raise ProfileInvalid(f"{where}: {slug} needs a title and a body, only")
        _check_texts(page["title"], f"{where}: {slug}.title")
        _check_texts(page["body"], f"{where}: {slug}.body")
        limits = {"title": GUIDANCE_TITLE_CHARS, "body": MAX_SOURCE_CHARS}
        for part, limit in limits.items():
            if any(
                not isinstance(text, str) or len(text) > limit
                for text in page[part].values()
            ):
                raise ProfileInvalid(
                    f"{where}: {slug}.{part} must be text of at most {limit} characters"
                )


MAX_ELSEWHERE = 20


def _check_elsewhere(items: Any) -> None:
    """``[[elsewhere]]``: what does not belong here and where to go instead."""
    if not isinstance(items, list) or len(items) > MAX_ELSEWHERE:
        raise ProfileInvalid(
            f"elsewhere must be a list of at most {MAX_ELSEWHERE} tables"
        )
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) != {"topic", "where"}:
            raise ProfileInvalid(f"elsewhere #{number} needs a topic and a where")
        for key in ("topic", "where"):
            _check_texts(item[key], f"elsewhere #{number}.{key}")
            if any(len(str(text)) > 1000 for text in item[key].values()):
                raise ProfileInvalid(
                    f"elsewhere #{number}.{key}: at most 1000 characters"
                )


def _languages() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def _check_slug(slug: Any, kind: str) -> None:
    limit = SLUG_LENGTHS[kind]
    if not isinstance(slug, str) or not SLUG.fullmatch(slug) or len(slug) > limit:
        raise ProfileInvalid(
            f"{kind} slug {slug!r} must be lower-case letters, digits and single "
            f"hyphens, at most {limit} characters (it is part of web addresses)"
        )


def _check_number(value: Any, where: str, low: int, high: int) -> None:
    # bool is an int in Python: "true" must not pass as 1.
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise ProfileInvalid(f"{where} must be a whole number from {low} to {high}")


def _check_category(category: dict[str, Any], slug: str) -> None:
    for key in ("title", "description"):
        _check_texts(category.get(key), f"{slug}.{key}")
    fields = category.get("fields") or []
    if not isinstance(fields, list) or not fields:
        raise ProfileInvalid(f"category {slug!r} has no fields")
    names = [field.get("name") if isinstance(field, dict) else None for field in fields]
    if len(set(names)) != len(names):
        raise ProfileInvalid(f"category {slug!r} repeats a field name")
    for field in fields:
        _check_field(field, slug)
    _check_conditions(fields, slug)
    files = category.get("files", {})
    if not isinstance(files, dict) or set(files) - {"label", "help"}:
        raise ProfileInvalid(f"{slug}.files may have only a label and a help text")
    for key, texts in files.items():
        _check_texts(texts, f"{slug}.files.{key}")


def _check_field(field: Any, where: str) -> None:
    name = field.get("name", "") if isinstance(field, dict) else ""
    if not isinstance(name, str) or not FIELD_NAME.fullmatch(name):
        raise ProfileInvalid(
            f"{where}: bad field name {name!r} (lower-case letters, digits and _, "
            "starting with a letter, at most 50 characters)"
        )
    if name in RESERVED_NAMES:
        raise ProfileInvalid(
            f"{where}: field name {name!r} is reserved for the form itself "
            f"(reserved: {', '.join(sorted(RESERVED_NAMES))})"
        )
    kind = field.get("type")
    if kind not in FIELD_TYPES:
        raise ProfileInvalid(
            f"{where}.{name}: type must be one of {sorted(FIELD_TYPES)}"
        )
    _check_texts(field.get("label"), f"{where}.{name}.label")
    if "help" in field:
        _check_texts(field["help"], f"{where}.{name}.help")
    if not isinstance(field.get("required", False), bool):
        raise ProfileInvalid(f"{where}.{name}: required must be true or false")
    if kind in TEXT_LIMITS:
        _check_number(
            field.get("max_length"), f"{where}.{name}.max_length", 1, TEXT_LIMITS[kind]
        )
    if kind in CHOICE_TYPES:
        _check_choices(field.get("choices"), f"{where}.{name}")


def _check_conditions(fields: list[dict[str, Any]], where: str) -> None:
    """``show_if = {field = "…", values = ["…"]}``: a question shown only when an
    earlier single-choice question has one of ``values``. Conditions do not
    chain (the earlier question may not be conditional itself): a reporter
    without JavaScript then needs at most one extra step to see every question."""
    earlier: dict[str, dict[str, Any]] = {}
    for field in fields:
        condition = field.get("show_if")
        if condition is not None:
            _check_condition(condition, earlier, f"{where}.{field['name']}.show_if")
        earlier[field["name"]] = field


def _check_condition(
    condition: Any, earlier: dict[str, dict[str, Any]], where: str
) -> None:
    if not isinstance(condition, dict) or set(condition) != {"field", "values"}:
        raise ProfileInvalid(
            f'{where} must be {{field = "<earlier question>", values = ["…"]}}'
        )
    source = earlier.get(condition["field"])
    if source is None:
        raise ProfileInvalid(
            f"{where}: {condition['field']!r} is not a question before this one"
        )
    if source["type"] != "choice":
        raise ProfileInvalid(
            f'{where}: {condition["field"]!r} must be a single choice (type "choice")'
        )
    if "show_if" in source:
        raise ProfileInvalid(
            f"{where}: {condition['field']!r} is itself conditional; conditions "
            "do not chain"
        )
    values = condition["values"]
    if (
        not isinstance(values, list)
        or not values
        or not all(isinstance(value, str) for value in values)
    ):
        raise ProfileInvalid(f"{where}: values must be a non-empty list of choices")
    known = {choice["value"] for choice in source["choices"]}
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ProfileInvalid(
            f"{where}: {unknown!r} are not choices of {condition['field']!r} "
            f"(choices: {sorted(known)})"
        )


def _check_choices(choices: Any, where: str) -> None:
    if not isinstance(choices, list) or not choices:
        raise ProfileInvalid(f"{where}: a choice field needs choices")
    values = [
        choice.get("value") if isinstance(choice, dict) else None for choice in choices
    ]
    for value, choice in zip(values, choices, strict=True):
        if not isinstance(value, str) or not 0 < len(value) <= 100:
            raise ProfileInvalid(
                f"{where}: choice value {value!r} must be 1..100 characters"
            )
        _check_texts(choice.get("label"), f"{where}.{value}")
    if len(set(values)) != len(values):
        raise ProfileInvalid(f"{where}: a choice value is repeated")


def _check_public_texts(texts: Any) -> None:
    if not isinstance(texts, dict):
        raise ProfileInvalid("texts must be a table of texts")
    unknown = set(texts) - set(PUBLIC_TEXTS)
    if unknown:
        raise ProfileInvalid(
            f"unknown texts {sorted(unknown)} (known: {sorted(PUBLIC_TEXTS)})"
        )
    for key, value in texts.items():
        _check_texts(value, f"texts.{key}")


def _check_texts(texts: Any, where: str) -> None:
    languages = [code for code, _ in settings.LANGUAGES]
    if not isinstance(texts, dict) or any(not texts.get(code) for code in languages):
        raise ProfileInvalid(f"{where} needs text in {', '.join(languages)}")


def public_text(profile: Profile | None, key: str) -> str:
    """A public text in the active language: the profile's wording, or the neutral
    fallback when it has none (or there is no profile to ask)."""
    texts = profile.texts if profile is not None else {}
    return str(localized(texts.get(key)) or PUBLIC_TEXTS[key])


def public_texts(profile: Profile | None) -> dict[str, str]:
    return {key: public_text(profile, key) for key in PUBLIC_TEXTS}
