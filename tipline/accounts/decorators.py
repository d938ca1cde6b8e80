"""Access by role for staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from tipline.accounts.models import Role


def administrators_only(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Signed-in administrators only; anyone else gets 404 (the page's existence is
    nobody else's business)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.role != Role.ADMINISTRATOR:
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)
