from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=50,
        help_text=_("e.g. case.read, login.failed, settings (a prefix)"),
    )
    actor = forms.CharField(label=_("Staff member"), required=False, max_length=150)
    target = forms.CharField(
        label=_("Target"),
        required=False,
        max_length=100,
        help_text=_("e.g. case:42"),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
