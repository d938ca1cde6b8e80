"""Access by role for staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from tipline.accounts.models import Role, User


class StaffRequest(HttpRequest):
    """A request past ``login_required``: its user is a signed-in staff member.

    For the type checker only (Django builds a plain HttpRequest): views behind
    the decorators below take it, so ``request.user`` is a User, never anonymous.
    """

    user: User


def administrators_only(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Signed-in administrators only; anyone else gets 404 (the page's existence is
    nobody else's business)."""

    @wraps(view)
    def wrapper(request: StaffRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.role != Role.ADMINISTRATOR:
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)
