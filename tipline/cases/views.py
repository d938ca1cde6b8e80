"""Staff pages: the inbox, the case page and replies to the reporter."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tipline.accounts.session_keys import KeyLocked, unlocked_private_key
from tipline.cases import selectors, services
from tipline.cases.forms import ReplyForm
from tipline.lib.tokens import (
    FormTokenInvalid,
    new_form_token,
    read_form_token,
    token_digest,
)

REPLY_FORM = "staff-reply"
PAGE_SIZE = 50


def needs_unlocked_key(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Send the user back to sign in when their session has no unlocked key."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            private_key = unlocked_private_key(request)
        except KeyLocked:
            # A session without its key is of no use; ending it also stops the
            # login page from sending a signed-in user straight back here.
            auth.logout(request)
            messages.info(request, _("Sign in again to unlock case data."))
            login = reverse("accounts:login")
            return redirect(f"{login}?{urlencode({'next': request.path})}")
        return view(request, *args, private_key=private_key, **kwargs)

    return login_required(wrapper)


@needs_unlocked_key
def inbox(request: HttpRequest, *, private_key: bytes) -> HttpResponse:
    page = Paginator(selectors.inbox_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/inbox.html", {"page": page})


@needs_unlocked_key
def detail(request: HttpRequest, case_id: int, *, private_key: bytes) -> HttpResponse:
    return _render_case(request, case_id, private_key, form=None)


def _render_case(
    request: HttpRequest, case_id: int, private_key: bytes, form: ReplyForm | None
) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    plain = services.read_case(case=case, user=request.user, private_key=private_key)
    form = form or ReplyForm(initial={"token": new_form_token(REPLY_FORM)})
    context = {
        "plain": plain,
        "form": form,
        "openable_originals": selectors.openable_originals(request.user, case),
    }
    return render(
        request, "cases/detail.html", context, status=400 if form.errors else 200
    )


@require_POST
@needs_unlocked_key
def reply(request: HttpRequest, case_id: int, *, private_key: bytes) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case_id, private_key, form)
    try:
        secret = read_form_token(form.cleaned_data["token"], REPLY_FORM)
    except FormTokenInvalid:
        form.add_error(None, _("This form expired. Your text is kept: send it again."))
        form.data = form.data.copy()
        form.data["token"] = new_form_token(REPLY_FORM)
        return _render_case(request, case_id, private_key, form)
    services.post_staff_message(
        case=case,
        user=request.user,
        private_key=private_key,
        body=form.cleaned_data["body"],
        token_digest=token_digest(secret, REPLY_FORM),
    )
    messages.success(request, _("Your message was sent to the reporter."))
    return redirect(case)
