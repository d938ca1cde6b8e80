"""Template context for the staff pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tipline.cases import recovery


def readability_gap(request: HttpRequest) -> dict[str, Any]:
    """``readability_gap`` for the administrators' banner (staff_base.html).

    Lazy: the two queries run only when a template reads it, which staff_base.html
    does for administrators only; public pages never do.
    """
    return {"readability_gap": SimpleLazyObject(recovery.readability_gap)}
