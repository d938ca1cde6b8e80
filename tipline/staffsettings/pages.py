"""The settings pages, in one list: the shared navigation and each page's access
check both read it, so the navigation never links to a page its reader would be
refused, nor hides one they may open. A new page is one line in PAGES."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tipline.accounts.decorators import StaffRequest
from tipline.accounts.models import Role, User

View = Callable[..., HttpResponse]


def administrators(user: User) -> bool:
    return user.role == Role.ADMINISTRATOR


def rewards_approvers(user: User) -> bool:
    return user.role == Role.REWARDS_APPROVER


def finance(user: User) -> bool:
    return user.role == Role.FINANCE


def communicators(user: User) -> bool:
    """Who may write the public bulletins: communications staff and
    administrators (issue 15, point 5)."""
    return user.role in (Role.COMMUNICATIONS, Role.ADMINISTRATOR)


def reward_record_keepers(user: User) -> bool:
    """Who may read the reward records: they hold no case content, only numbers,
    tiers, amounts, dates and names of staff."""
    return administrators(user) or rewards_approvers(user) or finance(user)


@dataclass(frozen=True)
class Page:
    name: str  # its URL name in the staffsettings namespace
    label: str | Promise
    may_open: Callable[[User], bool]

    def url(self) -> str:
        return reverse(f"staffsettings:{self.name}")


PAGES: tuple[Page, ...] = (
    Page("routing", _("Routing and priority"), administrators),
    Page("retention", _("Retention"), administrators),
    Page("site", _("Site"), administrators),
    Page("guardrail", _("Guardrail"), administrators),
    Page("rewards", _("Rewards"), administrators),
    Page("reward_proposals", _("Reward proposals"), rewards_approvers),
    Page("reward_payouts", _("Payouts"), finance),
    Page("reward_records", _("Reward records"), reward_record_keepers),
    Page("bulletins", _("Bulletins"), communicators),
    Page("audit_log", _("Audit log"), administrators),
    Page("guidance", _("Guidance pages"), administrators),
)


def pages_for(user: User | AnonymousUser) -> list[Page]:
    """The settings pages ``user`` may open, in the navigation's order (none for
    someone not signed in)."""
    if not isinstance(user, User):
        return []
    return [page for page in PAGES if page.may_open(user)]


def settings_page(name: str) -> Callable[[View], View]:
    """A view of the settings page ``name``: signed-in staff whom its entry in
    PAGES admits, and a 404 for any other (the page's existence is nobody else's
    business); anyone not signed in goes to the sign-in page."""
    (page,) = (page for page in PAGES if page.name == name)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: StaffRequest, *args: object, **kwargs: object
        ) -> HttpResponse:
            if not page.may_open(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate
