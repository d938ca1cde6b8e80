"""Profiles: the categories a reporter chooses from, their questionnaires and the
public texts, loaded from a profile file (tipline.profiles.loader)."""

from __future__ import annotations

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
    # (tipline.profiles.loader.PUBLIC_TEXTS lists the keys and their fallbacks).
    texts = models.JSONField(default=dict)
    # Deadlines for staff: acknowledge within N days, give feedback within N days
    # (EU Whistleblowing Directive, Art. 9: 7 days and 3 months).
    acknowledge_days = models.PositiveSmallIntegerField(default=7)
    feedback_days = models.PositiveSmallIntegerField(default=90)
    # Whether the follow-up page shows the reporter their own report's text. Anyone
    # holding the receipt sees what is shown, so a profile may choose not to.
    followup_shows_report = models.BooleanField(default=True)
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
