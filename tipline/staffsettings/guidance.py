"""Settings page: the guidance pages, their title and Markdown body in each
language, with a preview and the shipped default text one click away (issue 15,
point 1). The preview is its own POST (the form's second button sends the form
there), so it works without JavaScript and saves nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tipline.accounts.decorators import StaffRequest
from tipline.lib.markdown import MAX_SOURCE_CHARS, SourceTooLong
from tipline.lib.markdown import render as render_markdown
from tipline.profiles.loader import GUIDANCE_TITLE_CHARS, ensure_default_profile
from tipline.profiles.models import GuidancePage, GuidanceSlug
from tipline.profiles.selectors import guidance_page, guidance_pages
from tipline.staffsettings import services
from tipline.staffsettings.pages import settings_page

LANGUAGE_NAMES = dict(settings.LANGUAGES)


class GuidanceForm(forms.Form):
    """A title and a body per language, each required."""

    def __init__(self, *args: Any, page: GuidancePage, **kwargs: Any):
        initial = {}
        for code, _name in settings.LANGUAGES:
            initial[f"title_{code}"] = page.title.get(code, "")
            initial[f"body_{code}"] = page.body.get(code, "")
        super().__init__(*args, **{**kwargs, "initial": initial})
        for code, name in settings.LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=GUIDANCE_TITLE_CHARS,
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                help_text=_(
                    "Markdown: ## for a heading, - for a list, **bold**, "
                    "[words](https://…) for a link. No images or HTML."
                ),
                widget=forms.Textarea(attrs={"rows": 14}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for code, _name in settings.LANGUAGES:
            field = f"body_{code}"
            try:
                render_markdown(cleaned.get(field, ""))
            except SourceTooLong:
                self.add_error(
                    field,
                    gettext("This text is too long: at most %(limit)s characters.")
                    % {"limit": f"{MAX_SOURCE_CHARS:,}"},
                )
        return cleaned

    def texts(self, part: str) -> dict[str, str]:
        return {
            code: self.cleaned_data[f"{part}_{code}"] for code, _ in settings.LANGUAGES
        }

    def previews(self) -> list[tuple[str, str, SafeString]]:
        """(language, title, body as HTML) of each language, for the preview."""
        return [
            (
                LANGUAGE_NAMES[code],
                self.cleaned_data[f"title_{code}"],
                render_markdown(self.cleaned_data[f"body_{code}"]),
            )
            for code, _ in settings.LANGUAGES
        ]


def _page_or_404(slug: str) -> GuidancePage:
    if slug not in GuidanceSlug.values:
        raise Http404
    return guidance_page(ensure_default_profile(), slug)


@settings_page("guidance")
def guidance_list(request: StaffRequest) -> HttpResponse:
    profile = ensure_default_profile()
    context = {
        "profile": profile,
        "pages": guidance_pages(profile),
        "settings_page": "guidance",
    }
    return render(request, "staffsettings/guidance.html", context)


@settings_page("guidance")
def edit_guidance(request: StaffRequest, slug: str) -> HttpResponse:
    page = _page_or_404(slug)
    if request.method != "POST":
        return _editor(request, page, GuidanceForm(page=page))
    form = GuidanceForm(request.POST, page=page)
    if not form.is_valid():
        return _editor(request, page, form, status=400)
    changed = services.edit_guidance_page(
        user=request.user, page=page, title=form.texts("title"), body=form.texts("body")
    )
    if changed:
        messages.success(request, gettext("Guidance page saved. It is public now."))
    else:
        messages.info(request, gettext("Nothing changed."))
    return redirect("staffsettings:edit_guidance", slug=slug)


@require_POST
@settings_page("guidance")
def preview_guidance(request: StaffRequest, slug: str) -> HttpResponse:
    page = _page_or_404(slug)
    form = GuidanceForm(request.POST, page=page)
    if not form.is_valid():
        return _editor(request, page, form, status=400)
    return _editor(request, page, form, previews=form.previews())


@require_POST
@settings_page("guidance")
def restore_guidance(request: StaffRequest, slug: str) -> HttpResponse:
    page = _page_or_404(slug)
    try:
        services.restore_guidance_page(user=request.user, page=page)
    except services.NoDefaultGuidance:
        messages.error(request, gettext("This profile has no default text for it."))
    else:
        messages.success(request, gettext("The default text is back on the page."))
    return redirect("staffsettings:edit_guidance", slug=slug)


def _editor(
    request: StaffRequest,
    page: GuidancePage,
    form: GuidanceForm,
    status: int = 200,
    previews: list[tuple[str, str, SafeString]] | None = None,
) -> HttpResponse:
    context = {
        "page": page,
        "form": form,
        "previews": previews,
        "settings_page": "guidance",
    }
    return render(request, "staffsettings/guidance_edit.html", context, status=status)
