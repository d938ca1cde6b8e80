from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReplyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    body = forms.CharField(
        label=_("Message to the reporter"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The reporter will see this on their follow-up page."),
    )
