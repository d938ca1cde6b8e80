"""Settings page: the guardrail's word lists (issue 15, point 3).

The lists ship in the profile file; administrators adapt them here to the words
their reporters use. One word or phrase per line; a trailing * matches any
ending (tipline.profiles.guardrail explains the matching). Each save is audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tipline.accounts.decorators import StaffRequest
from tipline.accounts.models import User
from tipline.audit import services as audit
from tipline.profiles import guardrail
from tipline.profiles.loader import ensure_default_profile, forget_categories
from tipline.profiles.models import Profile
from tipline.staffsettings.pages import settings_page

KIND_LABELS = {
    "protected": _("Words that name a protected characteristic"),
    "behaviour": _("Words that describe behaviour"),
}
MAX_CHARS = 20_000


def _field_name(kind: str, language: str) -> str:
    return f"{kind}_{language.replace('-', '_')}"


class GuardrailForm(forms.Form):
    """One text box per list and language, a word or phrase per line."""

    def __init__(self, *args: Any, current: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in KIND_LABELS.items():
            for code, name in settings.LANGUAGES:
                words = current.get(kind, {}).get(code, [])
                self.fields[_field_name(kind, code)] = forms.CharField(
                    label=f"{label} ({name})",
                    required=False,
                    max_length=MAX_CHARS,
                    initial="\n".join(words),
                    widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
                    help_text=_(
                        "One word or phrase per line. A * at the end matches any "
                        "ending, for example photograph*."
                    ),
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = {
            kind: {
                code: [
                    line.strip()
                    for line in cleaned.get(_field_name(kind, code), "").splitlines()
                    if line.strip()
                ]
                for code, _name in settings.LANGUAGES
            }
            for kind in KIND_LABELS
        }
        try:
            self.lists = guardrail.clean_lists(raw, [c for c, _n in settings.LANGUAGES])
        except guardrail.GuardrailInvalid as exc:
            raise forms.ValidationError(
                gettext("These lists cannot be saved: %(reason)s.") % {"reason": exc}
            ) from None
        return cleaned


@transaction.atomic
def set_guardrail(*, user: User, profile: Profile, lists: dict[str, Any]) -> bool:
    """Store the profile's guardrail lists and audit the change; False if
    nothing changed."""
    if lists == profile.guardrail:
        return False
    profile.guardrail = lists
    profile.save(update_fields=["guardrail"])
    # The public form reads the lists with its cached category.
    transaction.on_commit(forget_categories)
    audit.record(
        action="settings.guardrail",
        actor=user,
        target=f"profile:{profile.slug}",
        detail={
            kind: {code: len(words) for code, words in by_language.items()}
            for kind, by_language in lists.items()
        },
    )
    return True


@settings_page("guardrail")
def guardrail_settings(request: StaffRequest) -> HttpResponse:
    profile = ensure_default_profile()
    if request.method != "POST":
        return _page(request, GuardrailForm(current=profile.guardrail))
    form = GuardrailForm(request.POST, current=profile.guardrail)
    if not form.is_valid():
        return _page(request, form, status=400)
    if set_guardrail(user=request.user, profile=profile, lists=form.lists):
        messages.success(request, gettext("Guardrail lists saved."))
    else:
        messages.info(request, gettext("Nothing changed."))
    return redirect("staffsettings:guardrail")


def _page(
    request: StaffRequest, form: GuardrailForm, status: int = 200
) -> HttpResponse:
    context = {"form": form, "settings_page": "guardrail"}
    return render(request, "staffsettings/guardrail.html", context, status=status)
