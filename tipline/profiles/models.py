"""Profiles: the categories a reporter chooses from, their questionnaires and the
public texts, loaded from a profile file (tipline.profiles.loader)."""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
    # (tipline.profiles.loader.PUBLIC_TEXTS lists the keys and their fallbacks).
    texts = models.JSONField(default=dict)
    # Deadlines for staff: acknowledge within N days, give feedback within N days
    # (EU Whistleblowing Directive, Art. 9: 7 days and 3 months).
    acknowledge_days = models.PositiveSmallIntegerField(default=7)
    feedback_days = models.PositiveSmallIntegerField(default=90)
    # Whether the follow-up page shows the reporter their own report's text. Anyone
    # holding the receipt sees what is shown, so a profile may choose not to.
    followup_shows_report = models.BooleanField(default=True)
    # What belongs elsewhere, shown first on the report pages (issue 15, point 3):
    # [{"topic": {"en": …, "zh-hans": …}, "where": {…}}, …].
    elsewhere = models.JSONField(default=list)
    # The guardrail's word lists (tipline.profiles.guardrail): {"protected": {"en":
    # [...], "zh-hans": [...]}, "behaviour": {...}}; shipped in the profile file,
    # edited by administrators on Settings > Guardrail.
    guardrail = models.JSONField(default=dict)
    active = models.BooleanField(default=False)

    class Meta:
        # The tables kept the intake app's names when issue 13 moved the models here
        # (migration 0001), so existing data stayed where it was.
        db_table = "intake_profile"

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
    # The files question's own label and help, {"label": {…}, "help": {…}}; empty:
    # the form's general wording ("Files (optional)").
    files_text = models.JSONField(default=dict)
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "intake_category"
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


class Site(models.Model):
    """The organisation's public identity and its official channels: one row,
    edited by administrators on Settings > Site (issue 15, points 1, 4, 9, 10).

    Texts are ``{"en": …, "zh-hans": …}``; an empty text falls back to the
    profile's wording. Read it through ``tipline.profiles.selectors.current_site``.
    """

    # Shown in the header and the page title; empty: the profile's "site_name".
    organisation_name = models.JSONField(default=dict, blank=True)
    # A PNG, re-encoded by Pillow when uploaded (nothing but pixels survives);
    # served from the site itself, never from another address.
    logo_png = models.BinaryField(null=True, blank=True, editable=False)
    logo_alt = models.JSONField(default=dict, blank=True)
    # The brand colours, "#rrggbb"; the stylesheet checks their contrast.
    colour_primary = models.CharField(max_length=7, default="#0b4f8a")
    colour_header = models.CharField(max_length=7, default="#ffffff")
    # How to reach the organisation for anything that is not a report.
    contact = models.JSONField(default=dict, blank=True)
    # "If someone is in danger now, call …", on every public page; empty: the
    # translated default that names 112.
    emergency = models.JSONField(default=dict, blank=True)
    # Where "Leave this site quickly" goes: a neutral page on another site.
    quick_exit_url = models.URLField(default="https://www.wikipedia.org/")
    # The official addresses, published on /verify-this-site/ and in the footer.
    web_address = models.URLField(blank=True)
    onion_address = models.CharField(max_length=100, blank=True)
    # The other channels the organisation takes reports through, for "How to
    # report": [{"number": "+44 20 …", "hours": {"en": …, "zh-hans": …}}, …],
    # a postal address and where to report in person (texts; empty: not offered).
    phone_lines = models.JSONField(default=list, blank=True)
    postal_address = models.JSONField(default=dict, blank=True)
    in_person = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.CheckConstraint(condition=models.Q(pk=1), name="site_single_row"),
        )

    def __str__(self) -> str:
        return "site settings"


class GuidanceSlug(models.TextChoices):
    """The fixed set of guidance pages, in the order the help index lists them;
    each has its own public address (tipline.outreach.urls)."""

    HOW_TO_REPORT = "how-to-report", _("How to report")
    WHAT_TO_REPORT = "what-to-report", _("What to report")
    WHAT_NOT_TO_REPORT = "what-not-to-report", _("What not to report")
    STAYING_SAFE = "staying-safe", _("Staying safe")
    REWARDS = "rewards", _("Rewards")
    WHAT_HAPPENS_NEXT = "what-happens-next", _("What happens next")


class GuidancePage(models.Model):
    """One guidance page of a profile: a title and a Markdown body per language,
    which administrators edit (issue 15, point 1). The parts that come from live
    data (channels, categories, deadlines, statuses, reward tiers) are not stored
    here: the public page renders them around the body, so they stay true.

    Who edited a page is in the audit log (profiles sits below accounts and may
    not name a user)."""

    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="guidance_pages"
    )
    slug = models.CharField(max_length=40, choices=GuidanceSlug.choices)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.JSONField()  # {"en": …, "zh-hans": …}
    body = models.JSONField()  # Markdown, {"en": …, "zh-hans": …}
    # Set when an administrator saves the page: loading the profile again then
    # keeps their text instead of the shipped default.
    edited = models.BooleanField(default=False)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("position", "id")
        constraints = (
            models.UniqueConstraint(
                fields=["profile", "slug"], name="guidance_slug_unique"
            ),
        )

    def __str__(self) -> str:
        return f"{self.profile.slug}/{self.slug}"

    def get_absolute_url(self) -> str:
        # "What not to report" keeps the name its address had before issue 15:
        # it is linked from many pages.
        if self.slug == GuidanceSlug.WHAT_NOT_TO_REPORT:
            return reverse("outreach:guidance")
        return reverse(f"outreach:{self.slug.replace('-', '_')}")

    @property
    def local_title(self) -> str:
        return str(localized(self.title) or GuidanceSlug(self.slug).label)

    @property
    def local_body(self) -> str:
        return str(localized(self.body))


class Bulletin(models.Model):
    """A news article for the public, in one language (issue 15, point 5).

    Written in Markdown by communications staff, rendered and sanitised by
    ``tipline.lib.markdown.render``. Visible once published, or once a scheduled
    one's ``publish_at`` has passed: the public reads filter on the time, so no
    background job has to flip it (``tipline.profiles.bulletins``).
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    class Language(models.TextChoices):
        # Each language's own name, as the language switch shows them.
        EN = "en", "English"
        ZH_HANS = "zh-hans", "简体中文"

    profile = models.ForeignKey(
        Profile, on_delete=models.PROTECT, related_name="bulletins"
    )
    language = models.CharField(max_length=7, choices=Language.choices)
    # Translations of one another share a group; a new bulletin starts its own.
    group = models.UUIDField(default=uuid.uuid4, db_index=True)
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500)
    body = models.TextField()
    # A category of the profile whose report form the article links to, or "".
    category_slug = models.SlugField(max_length=40, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    publish_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["language", "slug"], name="bulletin_slug_unique"
            ),
        )
        indexes = (models.Index(fields=["profile", "language", "state", "publish_at"]),)

    def __str__(self) -> str:
        return f"{self.language}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:bulletin", args=[self.slug])
