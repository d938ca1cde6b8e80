"""Reads for the staff side. Every view loads cases through get_case_for_user."""

from __future__ import annotations

from django.http import Http404

from tipline.accounts.models import User
from tipline.cases.models import Case, CaseQuerySet


def get_case_for_user(user: User, case_id: int) -> Case:
    """The case if ``user`` may read it; Http404 both when it does not exist and
    when it is not theirs, so ids reveal nothing."""
    case = (
        Case.objects.visible_to(user)
        .select_related("report__category", "team")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def inbox_for(user: User) -> CaseQuerySet:
    """The cases ``user`` can read, newest first."""
    return (
        Case.objects.visible_to(user)
        .select_related("report__category", "team")
        .order_by("-created_at", "-id")
    )
