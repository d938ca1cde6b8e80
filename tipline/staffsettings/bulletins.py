"""Settings > Bulletins: communications staff and administrators write the public
news (issue 15, point 5). Each action has its URL; "Preview" posts the form to
its own URL (``formaction``), which shows the sanitised result above the form
and saves nothing, so it works without JavaScript. A refused form comes back
with everything typed in it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tipline.accounts.decorators import StaffRequest
from tipline.lib.markdown import MAX_SOURCE_CHARS, SourceTooLong
from tipline.lib.markdown import render as markdown
from tipline.profiles import bulletins
from tipline.profiles.bulletins import BulletinText
from tipline.profiles.loader import ensure_default_profile
from tipline.profiles.models import Bulletin, Profile
from tipline.staffsettings import bulletin_changes as changes
from tipline.staffsettings.pages import settings_page

PAGE_SIZE = 50
TOO_LONG = _(
    "The text is too long: at most %(limit)s characters, and this one has %(count)s."
)
# What the editor says when a service refuses the text: the field and the words.
REFUSALS: dict[type[Exception], tuple[str, Any]] = {
    bulletins.SlugTaken: (
        "slug",
        _("Another bulletin in this language has this address. Choose another."),
    ),
    bulletins.NotATranslation: (
        "translation_of",
        _("A translation is a bulletin in the other language. Choose another."),
    ),
    bulletins.UnknownCategory: (
        "category",
        _("This category is no longer offered. Choose another."),
    ),
}
REFUSED = (bulletins.SlugTaken, bulletins.NotATranslation, bulletins.UnknownCategory)


class BulletinForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the bulletin"), choices=Bulletin.Language.choices
    )
    title = forms.CharField(label=_("Title"), max_length=bulletins.MAX_TITLE)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        help_text=_(
            "Small letters, digits and hyphens, for the address /news/…/, "
            "for example phishing-calls."
        ),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=bulletins.MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Plain text, one or two sentences, for the news list and the feed."
        ),
    )
    body = forms.CharField(
        label=_("Text"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Markdown: ## for a heading, **bold**, *italics*, [words](https://…) for "
            "a link, - for a list. Images and HTML are not shown."
        ),
    )
    category = forms.ChoiceField(label=_("“Report this” button"), required=False)
    translation_of = forms.TypedChoiceField(
        label=_("Translation of"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, *args: Any, profile: Profile, bulletin: Bulletin | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        categories = bulletins.report_categories(profile)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", gettext("None")),
            *((c.slug, c.local_title) for c in categories),
        ]
        others = bulletins.bulletins_for_editor(profile)
        if bulletin is not None:
            others = others.exclude(pk=bulletin.pk)
        cast(forms.ChoiceField, self.fields["translation_of"]).choices = [
            ("", gettext("None: a bulletin of its own")),
            *((b.pk, f"{b.get_language_display()}: {b.title}") for b in others),
        ]
        self.profile = profile

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).lower()

    def clean_body(self) -> str:
        body = str(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError(self.fields["body"].error_messages["required"])
        try:
            markdown(body)
        except SourceTooLong:
            raise forms.ValidationError(
                TOO_LONG % {"limit": f"{MAX_SOURCE_CHARS:,}", "count": f"{len(body):,}"}
            ) from None
        return body

    def text(self) -> BulletinText:
        data = self.cleaned_data
        other = data["translation_of"]
        return BulletinText(
            language=data["language"],
            slug=data["slug"],
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            category_slug=data["category"],
            translation_of=(
                Bulletin.objects.filter(pk=other, profile=self.profile).first()
                if other is not None
                else None
            ),
        )


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].help_text = gettext(
            "Date and time (%(zone)s), for example 2026-12-24 09:00."
        ) % {"zone": timezone.get_current_timezone_name()}


@settings_page("bulletins")
def bulletin_list(request: StaffRequest) -> HttpResponse:
    profile = ensure_default_profile()
    page = Paginator(bulletins.bulletins_for_editor(profile), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "now": timezone.now(), "settings_page": "bulletins"}
    return render(request, "staffsettings/bulletins.html", context)


@settings_page("bulletins")
def new_bulletin(request: StaffRequest) -> HttpResponse:
    profile = ensure_default_profile()
    if request.method != "POST":
        return _editor(request, BulletinForm(profile=profile, bulletin=None))
    form = BulletinForm(request.POST, profile=profile, bulletin=None)
    if not form.is_valid():
        return _editor(request, form, status=400)
    try:
        bulletin = changes.create(user=request.user, profile=profile, text=form.text())
    except REFUSED as refusal:
        form.add_error(*REFUSALS[type(refusal)])
        return _editor(request, form, status=400)
    messages.success(request, gettext("Draft saved. It is not public yet."))
    return redirect("staffsettings:edit_bulletin", bulletin_id=bulletin.pk)


@settings_page("bulletins")
def edit_bulletin(request: StaffRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _bulletin(bulletin_id)
    if request.method != "POST":
        return _editor(request, _form_of(bulletin), bulletin)
    form = BulletinForm(request.POST, profile=bulletin.profile, bulletin=bulletin)
    if not form.is_valid():
        return _editor(request, form, bulletin, status=400)
    try:
        changes.update(user=request.user, bulletin=bulletin, text=form.text())
    except REFUSED as refusal:
        form.add_error(*REFUSALS[type(refusal)])
        # The row as stored, not as the refused text left it in memory.
        return _editor(request, form, _bulletin(bulletin_id), status=400)
    messages.success(request, gettext("Bulletin saved."))
    return redirect("staffsettings:edit_bulletin", bulletin_id=bulletin.pk)


@require_POST
@settings_page("bulletins")
def preview_new(request: StaffRequest) -> HttpResponse:
    form = BulletinForm(request.POST, profile=ensure_default_profile(), bulletin=None)
    return _preview(request, form, None)


@require_POST
@settings_page("bulletins")
def preview_bulletin(request: StaffRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _bulletin(bulletin_id)
    form = BulletinForm(request.POST, profile=bulletin.profile, bulletin=bulletin)
    return _preview(request, form, bulletin)


@require_POST
@settings_page("bulletins")
def publish(request: StaffRequest, bulletin_id: int) -> HttpResponse:
    bulletin = changes.publish(user=request.user, bulletin=_bulletin(bulletin_id))
    messages.success(request, gettext("Published: the bulletin is on the news page."))
    return redirect("staffsettings:edit_bulletin", bulletin_id=bulletin.pk)


@require_POST
@settings_page("bulletins")
def schedule(request: StaffRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _bulletin(bulletin_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _editor(request, _form_of(bulletin), bulletin, form, status=400)
    try:
        changes.schedule(
            user=request.user, bulletin=bulletin, at=form.cleaned_data["publish_at"]
        )
    except bulletins.NotInFuture:
        form.add_error("publish_at", gettext("Choose a time that is still to come."))
        return _editor(request, _form_of(bulletin), bulletin, form, status=400)
    messages.success(request, gettext("Scheduled: the bulletin appears at that time."))
    return redirect("staffsettings:edit_bulletin", bulletin_id=bulletin.pk)


@require_POST
@settings_page("bulletins")
def unpublish(request: StaffRequest, bulletin_id: int) -> HttpResponse:
    bulletin = changes.unpublish(user=request.user, bulletin=_bulletin(bulletin_id))
    messages.success(request, gettext("Unpublished: the bulletin is a draft again."))
    return redirect("staffsettings:edit_bulletin", bulletin_id=bulletin.pk)


@require_POST
@settings_page("bulletins")
def delete(request: StaffRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _bulletin(bulletin_id)
    try:
        changes.delete(user=request.user, bulletin=bulletin)
    except bulletins.NotADraft:
        messages.error(request, gettext("Unpublish the bulletin before deleting it."))
        return redirect("staffsettings:edit_bulletin", bulletin_id=bulletin.pk)
    messages.success(request, gettext("Draft deleted."))
    return redirect("staffsettings:bulletins")


def _bulletin(bulletin_id: int) -> Bulletin:
    found = Bulletin.objects.filter(
        pk=bulletin_id, profile=ensure_default_profile()
    ).first()
    if found is None:
        raise Http404
    return found


def _form_of(bulletin: Bulletin) -> BulletinForm:
    other = bulletins.translations_of(bulletin, include_drafts=True)
    initial = {
        "language": bulletin.language,
        "title": bulletin.title,
        "slug": bulletin.slug,
        "summary": bulletin.summary,
        "body": bulletin.body,
        "category": bulletin.category_slug,
        "translation_of": other[0].pk if other else None,
    }
    return BulletinForm(initial=initial, profile=bulletin.profile, bulletin=bulletin)


def _preview(
    request: StaffRequest, form: BulletinForm, bulletin: Bulletin | None
) -> HttpResponse:
    if not form.is_valid():
        return _editor(request, form, bulletin, status=400)
    data = form.cleaned_data
    preview = {
        "title": data["title"],
        "summary": data["summary"],
        "body": markdown(data["body"]),
    }
    return _editor(request, form, bulletin, preview=preview)


def _editor(
    request: StaffRequest,
    form: BulletinForm,
    bulletin: Bulletin | None = None,
    schedule_form: ScheduleForm | None = None,
    *,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "bulletin": bulletin,
        "visible": bulletin is not None and bulletins.is_visible(bulletin),
        "schedule_form": schedule_form or ScheduleForm(),
        "preview": preview,
        "settings_page": "bulletins",
    }
    return render(request, "staffsettings/bulletin_edit.html", context, status=status)
