"""Template context for the staff pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from tipline.accounts import throttle

# How far back the administrators' banner looks for accounts whose codes locked.
CODE_LOCKOUT_BANNER = timedelta(hours=24)


def code_lockouts(request: HttpRequest) -> dict[str, Any]:
    """``code_lockouts``: accounts whose second-factor codes were locked after
    repeated wrong codes in the last day, for the administrators' banner
    (staff_base.html). Repeated wrong codes mean someone holds that password.

    Lazy: the query runs only when a template reads it, which staff_base.html does
    for administrators only.
    """
    return {
        "code_lockouts": SimpleLazyObject(
            lambda: throttle.code_lockouts_since(timezone.now() - CODE_LOCKOUT_BANNER)
        )
    }
