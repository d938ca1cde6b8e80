from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tipline.accounts.models import User
from tipline.cases.models import Outcome, Risk, Status

# The largest id or counter a form accepts: the top of a 32-bit signed column, so
# a hand-edited number past every column's range is a form error, never a
# database overflow (SQLite and PostgreSQL both refuse 64-bit overflow).
MAX_NUMBER = 2**31 - 1


class ReplyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    body = forms.CharField(
        label=_("Message to the reporter"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The reporter will see this on their follow-up page."),
    )


class CasePageForm(forms.Form):
    """One of several forms on the case page: each gets its own element ids, so
    every label points at its own field."""

    id_prefix = "case"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class VersionedForm(CasePageForm):
    """A change to a case, carrying the case version the page showed."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=MAX_NUMBER
    )


class StatusForm(VersionedForm):
    id_prefix = "status"
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome (when closing)"),
        choices=[("", "—"), *Outcome.choices],
        required=False,
    )


class AssignForm(VersionedForm):
    id_prefix = "assign"
    assignee = forms.TypedChoiceField(
        label=_("Assign to"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, readers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", _("Nobody")),
            *[(user.pk, user.get_username()) for user in readers],
        ]


class RiskForm(VersionedForm):
    id_prefix = "risk"
    risk = forms.ChoiceField(
        label=_("Risk of retaliation against the reporter"),
        choices=[choice for choice in Risk.choices if choice[0] != Risk.UNASSESSED],
    )
    note = forms.CharField(
        label=_("Why (who could find out, and what they could do)"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(CasePageForm):
    id_prefix = "note"
    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    body = forms.CharField(
        label=_("Internal note"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only staff who can read this case see notes. Never the reporter."),
    )


class RedactForm(CasePageForm):
    id_prefix = "redact"
    term = forms.CharField(
        label=_("Hide a name or detail"),
        min_length=2,
        max_length=200,
        help_text=_(
            "Hidden wherever it appears on this page, for everyone. The stored "
            "report is not changed."
        ),
    )


class GrantForm(CasePageForm):
    id_prefix = "grant"
    user = forms.TypedChoiceField(label=_("Colleague"), coerce=int)

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["user"]).choices = [
            (user.pk, f"{user.get_username()} ({user.team or '—'})")
            for user in candidates
        ]


class LinkForm(VersionedForm):
    id_prefix = "link"
    other = forms.IntegerField(
        label=_("Case number"), min_value=1, max_value=MAX_NUMBER
    )
    decision = forms.ChoiceField(
        choices=[("link", _("Link")), ("merge", _("Merge")), ("dismiss", _("Dismiss"))]
    )


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), *Status.choices],
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(
        label=_("Team"), required=False, coerce=int, empty_value=None
    )
    assignee = forms.CharField(label=_("Assignee"), required=False, max_length=20)
    min_priority = forms.IntegerField(
        label=_("Priority at least"),
        required=False,
        min_value=-MAX_NUMBER,
        max_value=MAX_NUMBER,
    )
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("Any")),
            ("overdue", _("Overdue")),
            ("week", _("Due within 7 days")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("priority", _("Highest priority")),
            ("due", _("Due soonest")),
        ],
    )
    grouped = forms.BooleanField(label=_("Group linked reports"), required=False)

    def __init__(
        self,
        *args: Any,
        categories: list[tuple[int, str]],
        teams: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("Any")),
            *categories,
        ]
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", _("Any")), *teams]

    def clean_assignee(self) -> str:
        value: str = self.cleaned_data["assignee"]
        # ASCII digits only ("²".isdigit() is True) and within a column's range.
        number = value.isascii() and value.isdigit() and int(value) <= MAX_NUMBER
        if value and value not in ("me", "none") and not number:
            raise forms.ValidationError(_("Choose an assignee from the list."))
        return value
