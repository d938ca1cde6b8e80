from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from tipline.accounts.models import User


class SetupForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput, strip=False
    )
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput, strip=False
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("That username is taken."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", _("The two passwords differ."))
        elif password:
            try:
                validate_password(password, User(username=data.get("username", "")))
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your "
            "recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class PasswordChangeForm(forms.Form):
    current = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput, strip=False
    )
    new = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput, strip=False
    )
    new_again = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput, strip=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("new"), data.get("new_again")
        if new and again and new != again:
            self.add_error("new_again", _("The two passwords differ."))
        elif new:
            try:
                validate_password(new, self.user)
            except forms.ValidationError as exc:
                self.add_error("new", exc)
        return data
