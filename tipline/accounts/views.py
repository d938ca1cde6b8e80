from __future__ import annotations

from typing import Any

from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tipline import crypto
from tipline.accounts import services, throttle, timeouts
from tipline.accounts.forms import SetupForm
from tipline.accounts.models import User
from tipline.accounts.session_keys import forget_unlocked_key, keep_unlocked_key
from tipline.audit import services as audit

THROTTLED = _(
    "Too many failed sign-ins. Wait 15 minutes and try again, or ask an administrator."
)


class StaffLoginView(LoginView):
    """Django's login, which also unlocks the user's private key for the session."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))[:150]
        if throttle.is_throttled(username):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, THROTTLED)
            audit.record(action="login.throttled", actor=None, target="")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = str(self.request.POST.get("username", ""))[:150]
        if username:
            throttle.record_failure(username)
            account = User.objects.filter(username=username).first()
            audit.record(
                action="login.failed",
                actor=None,
                target=f"user:{account.pk}" if account else "",
            )
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        try:
            private_key = services.unlock_private_key(
                user=user, password=form.cleaned_data["password"]
            )
        except crypto.DecryptionFailed:
            form.add_error(
                None, "Your account has no usable key. Ask an administrator."
            )
            return self.form_invalid(form)
        throttle.clear_failures(form.cleaned_data["username"])
        response = super().form_valid(form)
        keep_unlocked_key(self.request, response, private_key)
        timeouts.start(self.request)
        audit.record(action="login", actor=user, target=f"user:{user.pk}")
        return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(
            action="logout", actor=request.user, target=f"user:{request.user.pk}"
        )
    auth.logout(request)
    response = redirect("accounts:login")
    forget_unlocked_key(response)
    return response


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, token: str) -> HttpResponse:
    """Create the first administrator from the one-time link printed at first start."""
    if not services.setup_token_is_valid(token):
        raise Http404
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_first_admin(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except services.SetupTokenInvalid:
            raise Http404 from None
        return redirect("accounts:login")
    return render(
        request,
        "accounts/setup.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
