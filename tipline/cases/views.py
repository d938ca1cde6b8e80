"""Staff pages: the inbox, the case page and replies to the reporter."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tipline.accounts.decorators import StaffRequest
from tipline.accounts.models import NO_CASE_ACCESS, Role, Team, User
from tipline.accounts.session_keys import KeyLocked, unlocked_private_key
from tipline.cases import (
    forms,
    panels,
    redaction,
    selectors,
    services,
    workflow,
    workspace,
)
from tipline.cases.models import TRANSITIONS, Case, Risk, Status
from tipline.lib.http import query_without_page
from tipline.lib.tokens import (
    FormTokenInvalid,
    new_form_token,
    read_form_token,
    token_digest,
)

REPLY_FORM = "staff-reply"
NOTE_FORM = "staff-note"


def needs_unlocked_key(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Send the user back to sign in when their session has no unlocked key."""

    @wraps(view)
    def wrapper(
        request: StaffRequest, *args: object, **kwargs: object
    ) -> HttpResponseBase:
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
def inbox(request: StaffRequest, *, private_key: bytes) -> HttpResponse:
    if request.user.role in NO_CASE_ACCESS:
        # Signing in lands here; a communications user has no cases, only the
        # bulletins editor (issue 15, point 5).
        return redirect("staffsettings:bulletins")
    form = forms.InboxFilterForm(
        request.GET or None,
        categories=[(c.pk, c.local_title) for c in selectors.filter_categories()],
        teams=[(team.pk, team.name) for team in Team.objects.all()],
    )
    filters = selectors.InboxFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.InboxFilters(
            **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        )
    page = selectors.inbox_page(request.user, filters, request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": form,
        "query": query_without_page(request),
        "now": timezone.now(),
        "grouped": filters.grouped,
    }
    return render(request, "cases/inbox.html", context)


@needs_unlocked_key
def detail(request: StaffRequest, case_id: int, *, private_key: bytes) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    return _render_case(request, case, private_key)


def _render_case(
    request: StaffRequest,
    case: Case,
    private_key: bytes,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; ``bound`` replaces a form that failed, keeping what was typed."""
    space = workspace.read_workspace(
        case=case, user=request.user, private_key=private_key
    )
    readers = selectors.readers_of(case)
    version = {"version": case.version}
    page_forms: dict[str, Any] = {
        "form": forms.ReplyForm(initial={"token": new_form_token(REPLY_FORM)}),
        "note_form": forms.NoteForm(initial={"token": new_form_token(NOTE_FORM)}),
        "status_form": forms.StatusForm(initial=version),
        "assign_form": forms.AssignForm(
            initial={**version, "assignee": case.assignee_id}, readers=readers
        ),
        "risk_form": forms.RiskForm(
            initial={
                **version,
                "risk": case.risk if case.risk != Risk.UNASSESSED else Risk.MEDIUM,
            }
        ),
        "redact_form": forms.RedactForm(),
        "link_form": forms.LinkForm(initial=version),
    }
    if request.user.role == Role.SUPERVISOR:
        page_forms["grant_form"] = forms.GrantForm(
            candidates=selectors.grantable_to(case)
        )
    page_forms.update(bound or {})
    context = {
        "case": case,
        "plain": space.plain,
        "space": space,
        "moves": [Status(s) for s in sorted(TRANSITIONS[Status(case.status)])],
        "priority_reasons": space.priority.reasons,
        "links": selectors.links_for(request.user, case),
        "grants": selectors.grants_on(case),
        "history": space.history,
        "openable_originals": selectors.openable_originals(request.user, case),
        "now": timezone.now(),
        "is_supervisor": request.user.role == Role.SUPERVISOR,
        "panels": panels.render_panels(request, case, private_key),
        **page_forms,
    }
    return render(request, "cases/detail.html", context, status=status)


def _refused(
    request: StaffRequest,
    case: Case,
    private_key: bytes,
    message: str,
    bound: dict[str, Any] | None = None,
    status: int = 400,
) -> HttpResponse:
    messages.error(request, message)
    return _render_case(request, case, private_key, bound=bound, status=status)


def _first_error(form: BaseForm) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Check the form and try again.")


def _expired(form: BaseForm, token_form: str) -> None:
    form.add_error(None, _("This form expired. Your text is kept: send it again."))
    form.data = cast(QueryDict, form.data).copy()  # bound to request.POST
    form.data["token"] = new_form_token(token_form)


@require_POST
@needs_unlocked_key
def reply(request: StaffRequest, case_id: int, *, private_key: bytes) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    form = forms.ReplyForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, private_key, {"form": form}, status=400)
    try:
        secret = read_form_token(form.cleaned_data["token"], REPLY_FORM)
    except FormTokenInvalid:
        _expired(form, REPLY_FORM)
        return _render_case(request, case, private_key, {"form": form}, status=400)
    services.post_staff_message(
        case=case,
        user=request.user,
        private_key=private_key,
        body=form.cleaned_data["body"],
        token_digest=token_digest(secret, REPLY_FORM),
    )
    messages.success(request, _("Your message was sent to the reporter."))
    return redirect(case)


@require_POST
@needs_unlocked_key
def add_note(
    request: StaffRequest, case_id: int, *, private_key: bytes
) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, private_key, {"note_form": form}, 400)
    try:
        secret = read_form_token(form.cleaned_data["token"], NOTE_FORM)
    except FormTokenInvalid:
        _expired(form, NOTE_FORM)
        return _render_case(request, case, private_key, {"note_form": form}, 400)
    workflow.add_note(
        case=case,
        user=request.user,
        private_key=private_key,
        body=form.cleaned_data["body"],
        token_digest=token_digest(secret, NOTE_FORM),
    )
    messages.success(request, _("Note added."))
    return redirect(case)


@require_POST
@needs_unlocked_key
def change_status(
    request: StaffRequest, case_id: int, *, private_key: bytes
) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, private_key, _first_error(form))
    try:
        workflow.change_status(
            case=case,
            user=request.user,
            status=form.cleaned_data["status"],
            outcome=form.cleaned_data["outcome"],
            version=form.cleaned_data["version"],
        )
    except workflow.StaleForm as exc:
        return _refused(request, case, private_key, exc.message, status=409)
    except workflow.CaseChangeRefused as exc:
        return _refused(request, case, private_key, exc.message)
    messages.success(
        request,
        _("Status changed to “%(status)s”.") % {"status": case.get_status_display()},
    )
    return redirect(case)


@require_POST
@needs_unlocked_key
def assign(request: StaffRequest, case_id: int, *, private_key: bytes) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    form = forms.AssignForm(request.POST, readers=selectors.readers_of(case))
    if not form.is_valid():
        return _refused(request, case, private_key, _first_error(form))
    assignee_id = form.cleaned_data["assignee"]
    try:
        workflow.assign_case(
            case=case,
            user=request.user,
            assignee=User.objects.get(pk=assignee_id) if assignee_id else None,
            version=form.cleaned_data["version"],
        )
    except workflow.StaleForm as exc:
        return _refused(request, case, private_key, exc.message, status=409)
    except workflow.CaseChangeRefused as exc:
        return _refused(request, case, private_key, exc.message)
    messages.success(request, _("Assignment saved."))
    return redirect(case)


@require_POST
@needs_unlocked_key
def assess_risk(
    request: StaffRequest, case_id: int, *, private_key: bytes
) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    form = forms.RiskForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, private_key, {"risk_form": form}, 400)
    try:
        workflow.assess_risk(
            case=case,
            user=request.user,
            private_key=private_key,
            risk=form.cleaned_data["risk"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except workflow.CaseChangeRefused as exc:
        form.add_error(None, exc.message)
        code = 409 if isinstance(exc, workflow.StaleForm) else 400
        return _render_case(request, case, private_key, {"risk_form": form}, code)
    messages.success(request, _("Risk assessment saved."))
    return redirect(case)


@require_POST
@needs_unlocked_key
def redact(request: StaffRequest, case_id: int, *, private_key: bytes) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    form = forms.RedactForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, private_key, {"redact_form": form}, 400)
    try:
        redaction.add_redaction(
            case=case,
            user=request.user,
            private_key=private_key,
            term=form.cleaned_data["term"],
        )
    except workflow.CaseChangeRefused as exc:
        form.add_error("term", exc.message)
        return _render_case(request, case, private_key, {"redact_form": form}, 400)
    messages.success(request, _("Hidden from the working view."))
    return redirect(case)


@require_POST
@needs_unlocked_key
def unredact(
    request: StaffRequest, case_id: int, redaction_id: int, *, private_key: bytes
) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    try:
        redaction.remove_redaction(
            case=case, user=request.user, redaction_id=redaction_id
        )
    except redaction.UnhideNeedsSupervisor as exc:
        return _refused(request, case, private_key, exc.message, status=403)
    except workflow.CaseChangeRefused as exc:
        return _refused(request, case, private_key, exc.message)
    messages.success(request, _("Shown again."))
    return redirect(case)


@require_POST
@needs_unlocked_key
def grant(request: StaffRequest, case_id: int, *, private_key: bytes) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    form = forms.GrantForm(request.POST, candidates=list(User.objects.all()))
    if not form.is_valid():
        return _refused(request, case, private_key, _first_error(form))
    grantee = User.objects.get(pk=form.cleaned_data["user"])
    try:
        workflow.grant_access(
            case=case, supervisor=request.user, private_key=private_key, grantee=grantee
        )
    except workflow.CaseChangeRefused as exc:
        return _refused(request, case, private_key, exc.message)
    messages.success(
        request,
        _("%(name)s can now read this case.") % {"name": grantee.get_username()},
    )
    return redirect(case)


@require_POST
@needs_unlocked_key
def revoke(
    request: StaffRequest, case_id: int, user_id: int, *, private_key: bytes
) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    grantee = User.objects.filter(pk=user_id).first()
    if grantee is None:
        raise Http404
    try:
        workflow.revoke_access(case=case, supervisor=request.user, grantee=grantee)
    except workflow.CaseChangeRefused as exc:
        return _refused(request, case, private_key, exc.message)
    messages.success(
        request,
        _("%(name)s can no longer read this case.") % {"name": grantee.get_username()},
    )
    return redirect(case)


@require_POST
@needs_unlocked_key
def link(request: StaffRequest, case_id: int, *, private_key: bytes) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, case_id)
    form = forms.LinkForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, private_key, _first_error(form))
    other = selectors.get_case_for_user(request.user, form.cleaned_data["other"])
    try:
        workflow.decide_link(
            case=case,
            user=request.user,
            other=other,
            decision=form.cleaned_data["decision"],
            version=form.cleaned_data["version"],
        )
    except workflow.StaleForm as exc:
        return _refused(request, case, private_key, exc.message, status=409)
    except workflow.CaseChangeRefused as exc:
        return _refused(request, case, private_key, exc.message)
    messages.success(request, _("Saved."))
    return redirect(case)
