"""Reads for the staff side. Every view loads cases through get_case_for_user."""

from __future__ import annotations

from django.http import Http404

from tipline.accounts.models import User
from tipline.cases.models import Case, CaseQuerySet
from tipline.intake.models import Attachment, OriginalKey


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


def get_attachment_for_case(case: Case, attachment_id: int) -> Attachment:
    """An attachment of ``case`` (already access-checked); Http404 otherwise."""
    attachment = Attachment.objects.filter(
        report_id=case.report_id, pk=attachment_id
    ).first()
    if attachment is None:
        raise Http404
    return attachment


def openable_originals(user: User, case: Case) -> set[int]:
    """Ids of the case's attachments whose sealed original ``user`` can open."""
    return set(
        OriginalKey.objects.filter(
            attachment__report_id=case.report_id, user=user
        ).values_list("attachment_id", flat=True)
    )
