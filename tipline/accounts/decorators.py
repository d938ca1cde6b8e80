"""The request type of staff pages (access by role: tipline.staffsettings.pages)."""

from __future__ import annotations

from django.http import HttpRequest

from tipline.accounts.models import User


class StaffRequest(HttpRequest):
    """A request past ``login_required``: its user is a signed-in staff member.

    For the type checker only (Django builds a plain HttpRequest): views behind
    ``login_required`` and the settings pages' access check take it, so
    ``request.user`` is a User, never anonymous.
    """

    user: User
