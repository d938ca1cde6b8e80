from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tipline import crypto
from tipline.accounts import services, throttle, timeouts, two_factor
from tipline.accounts.decorators import StaffRequest
from tipline.accounts.forms import CodeForm, PasswordChangeForm, SetupForm
from tipline.accounts.models import LoginFailure, User
from tipline.accounts.session_keys import forget_unlocked_key, keep_unlocked_key
from tipline.audit import services as audit

THROTTLED = gettext_lazy(
    "Too many failed sign-ins. Wait 15 minutes and try again, or ask an administrator."
)
PASSWORD_THROTTLED = gettext_lazy(
    "Too many wrong passwords. Wait 15 minutes and try again, or ask an administrator."
)
CODES_LOCKED = gettext_lazy(
    "Too many wrong codes. You can try again after %(time)s UTC, or ask an "
    "administrator."
)


class StaffLoginView(LoginView):
    """Django's login, which also unlocks the user's private key for the session."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    attempt: LoginFailure | None = None

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The whole name, not a prefix: the form strips blanks before it looks the
        # user up, so a prefix of a padded name would be counted as another name.
        username = str(request.POST.get("username", ""))
        # Counted as failed until the password proves right (form_valid).
        self.attempt = throttle.begin_attempt(username) if username else None
        if username and self.attempt is None:
            # Counted by the normalised name and by the account it signs in to, so
            # look-alike spellings share one budget (tipline.accounts.throttle).
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, THROTTLED)
            audit.record(action="login.throttled", actor=None, target="")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = str(self.request.POST.get("username", ""))
        if username:
            # Counted already, before the password was checked (post).
            account = throttle.account_for(username)
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
                None, _("Your account has no usable key. Ask an administrator.")
            )
            return self.form_invalid(form)
        if self.attempt is not None:
            self.attempt.delete()  # the password was right: not a failure
        # Failures are not cleared yet: a right password with a wrong code must not
        # open a fresh budget. They are cleared once the whole sign-in succeeds.
        if two_factor.has_confirmed(user):
            # Not signed in yet: the key waits, locked to this user, for the code.
            response: HttpResponse = redirect("accounts:login_code")
            keep_unlocked_key(self.request, response, private_key, user_id=user.pk)
            self.request.session[PENDING] = {
                "user": user.pk,
                "at": int(time.time()),
                "next": self.get_success_url(),
            }
            return response
        response = super().form_valid(form)
        keep_unlocked_key(self.request, response, private_key)
        timeouts.start(self.request)
        throttle.clear_failures(user)
        audit.record(action="login", actor=user, target=f"user:{user.pk}")
        return response


PENDING = "tipline_pending_second_factor"
PENDING_SECONDS = 300


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app."""
    pending = request.session.get(PENDING) or {}
    user_id = pending.get("user")
    user = (
        User.objects.filter(pk=user_id, is_active=True).first()
        if user_id is not None
        else None
    )
    if user is None or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        locked_until = throttle.codes_locked_until(user)
        if locked_until is not None:
            return _codes_locked(request, user, locked_until)
        if form.is_valid() and two_factor.verify(user, form.cleaned_data["code"]):
            next_url = pending.get("next") or reverse("cases:inbox")
            del request.session[PENDING]
            auth.login(request, user)
            request.session[two_factor.SESSION_FLAG] = True
            timeouts.start(request)
            throttle.clear_failures(user)
            audit.record(
                action="login",
                actor=user,
                target=f"user:{user.pk}",
                detail={"second_factor": True},
            )
            return redirect(next_url)
        locks = throttle.record_code_failure(user)
        audit.record(
            action="login.failed",
            actor=None,
            target=f"user:{user.pk}",
            detail={"step": "second factor"},
        )
        if locks:
            # Someone who has the password is guessing codes: administrators see
            # this in the audit log and in a banner (staff_base.html).
            audit.record(
                action="login.codes_locked",
                actor=None,
                target=f"user:{user.pk}",
                detail={"failures": throttle.CODE_LIMIT},
            )
            return _codes_locked(request, user, throttle.codes_locked_until(user))
        form.add_error(None, _("That code is not right. Check your app and try again."))
        status = 400
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


def _codes_locked(
    request: HttpRequest, user: User, until: datetime | None
) -> HttpResponse:
    form = CodeForm({})
    form.is_valid()
    form.errors.clear()
    retry = timezone.localtime(until or timezone.now(), UTC)
    form.add_error(None, CODES_LOCKED % {"time": retry.strftime("%H:%M")})
    audit.record(action="login.throttled", actor=None, target=f"user:{user.pk}")
    return render(request, "accounts/login_code.html", {"form": form}, status=429)


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def enrol_second_factor(request: StaffRequest) -> HttpResponse:
    """Set up an authenticator app: show its secret, confirm it with a code, then
    show the recovery codes once."""
    user = request.user
    if two_factor.has_confirmed(user):
        return render(request, "accounts/two_factor_done.html", {})
    secret = two_factor.pending_secret(user) or two_factor.begin_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(user, form.cleaned_data["code"])
        except two_factor.InvalidCode:
            form.add_error(
                "code", _("That code is not right. Check your app and try again.")
            )
        else:
            request.session[two_factor.SESSION_FLAG] = True
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
    uri = two_factor.provisioning_uri(user, secret)
    context = {
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "uri": uri,
        "qr": two_factor.provisioning_qr(uri),
        "required": two_factor.is_required(user),
    }
    return render(
        request,
        "accounts/two_factor_enrol.html",
        context,
        status=400 if form.errors else 200,
    )


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


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def change_password(request: StaffRequest) -> HttpResponse:
    """A new password; the private key is locked again under it."""
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and throttle.is_throttled(
        request.user.username, request.user
    ):
        # A stolen session must not buy unlimited guesses at the password.
        form.is_valid()
        form.errors.clear()
        form.add_error(None, PASSWORD_THROTTLED)
        return render(request, "accounts/password.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                user=request.user,
                current=form.cleaned_data["current"],
                new=form.cleaned_data["new"],
            )
        except services.WrongPassword:
            throttle.record_failure(request.user.username, request.user)
            form.add_error("current", _("That is not your current password."))
        else:
            # Stay signed in here; other sessions of this user end.
            auth.update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("cases:inbox")
    return render(
        request,
        "accounts/password.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
