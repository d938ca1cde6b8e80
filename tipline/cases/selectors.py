"""Reads for the staff side. Every view loads cases through get_case_for_user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, F, OrderBy, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from tipline.accounts.models import NO_CASE_ACCESS, User
from tipline.audit import actions
from tipline.audit import services as audit
from tipline.audit.models import AuditEvent
from tipline.cases.keys import held_beyond_membership
from tipline.cases.models import (
    Attachment,
    Case,
    CaseKey,
    CaseLink,
    CaseQuerySet,
    LinkState,
    OriginalKey,
    Outcome,
    Status,
)
from tipline.profiles.models import Category


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
        # Forged ids and other teams' cases alike: same answer, and on the record.
        with transaction.atomic():
            audit.record(action="case.denied", actor=user, target=f"case:{case_id}")
        raise Http404
    return case


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    category: int | None = None
    team: int | None = None
    assignee: str = ""
    min_priority: int | None = None
    due: str = ""
    sort: str = "newest"
    grouped: bool = False


INBOX_PAGE_SIZE = 50


def next_due() -> Coalesce:
    # The acknowledgement is always due before the feedback, so the first
    # deadline still open is the nearest one.
    return Coalesce("acknowledge_due", "feedback_due")


SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "priority": ("-priority", "-created_at", "-id"),
    "due": (F("next_due").asc(nulls_last=True), "-created_at", "-id"),
}


def inbox_for(user: User, filters: InboxFilters | None = None) -> CaseQuerySet:
    """The ids of the cases ``user`` can read, filtered and sorted (open cases,
    newest first, unless asked otherwise).

    Deliberately narrow: with no joins but the key check, the database walks the
    sort's index and stops after one page, instead of joining and sorting every
    readable case (100,000 in bench/cases.py). ``inbox_page`` loads the page's rows.
    """
    filters = filters or InboxFilters()
    cases = Case.objects.visible_to(user).annotate(next_due=next_due())
    if filters.status == "":
        cases = cases.exclude(status=Status.CLOSED)
    elif filters.status != "all":
        cases = cases.filter(status=filters.status)
    if filters.category is not None:
        cases = cases.filter(report__category_id=filters.category)
    if filters.team is not None:
        cases = cases.filter(team_id=filters.team)
    if filters.assignee == "me":
        cases = cases.filter(assignee=user)
    elif filters.assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        cases = cases.filter(assignee_id=int(filters.assignee))
    if filters.min_priority is not None:
        cases = cases.filter(priority__gte=filters.min_priority)
    now = timezone.now()
    if filters.due == "overdue":
        cases = cases.filter(next_due__lt=now)
    elif filters.due == "week":
        cases = cases.filter(next_due__lt=now + timedelta(days=7))
    if filters.grouped:
        # One row per group of linked reports: its earliest case among those
        # this user can read and the filters keep. The group's own lead (its
        # earliest case) may be another team's, which must not hide the rest.
        earlier = cases.filter(group_id=OuterRef("group_id"), pk__lt=OuterRef("pk"))
        cases = cases.filter(Q(group__isnull=True) | ~Exists(earlier))
    return cases.order_by(*SORTS.get(filters.sort or "newest", SORTS["newest"]))


def inbox_page(
    user: User, filters: InboxFilters | None = None, number: int | str | None = 1
) -> Page[Case]:
    """One page of the inbox: the page's ids and the count from the narrow query,
    then the page's rows with everything the inbox shows (three queries)."""
    filters = filters or InboxFilters()
    paginator = Paginator(
        inbox_for(user, filters).values_list("pk", flat=True), INBOX_PAGE_SIZE
    )
    page = paginator.get_page(number)
    ids = list(page.object_list)
    rows = (
        Case.objects.filter(pk__in=ids)
        .select_related("report__category", "team", "assignee")
        .annotate(next_due=next_due())
    )
    if filters.grouped:
        # Only the linked cases this user can read: a count of others' cases
        # would tell how many reports another team holds on the same matter.
        rows = rows.annotate(
            linked=Subquery(
                Case.objects.visible_to(user)
                .filter(group_id=OuterRef("group_id"))
                .exclude(pk=OuterRef("pk"))
                .values("group_id")
                .annotate(n=Count("id"))
                .values("n")[:1]
            )
        )
    by_id = {case.pk: case for case in rows}
    # The page's rows in place of the ids it was cut from; django-stubs ties a
    # Page to its paginator's item type.
    return Page([by_id[pk] for pk in ids], page.number, paginator)  # type: ignore[arg-type]


def readers_of(case: Case) -> list[User]:
    """Staff who hold the case's key (the only possible assignees)."""
    return list(
        User.objects.filter(case_keys__case=case, is_active=True).order_by("username")
    )


def grantable_to(case: Case) -> list[User]:
    """Active staff with keys who cannot read the case yet."""
    return list(
        User.objects.filter(is_active=True, public_key__isnull=False)
        .exclude(role__in=NO_CASE_ACCESS)
        .exclude(case_keys__case=case)
        .select_related("team")
        .order_by("username")
    )


def grants_on(case: Case) -> list[CaseKey]:
    """Who holds the case's key other than as a member of its team (grants, escrow
    grants outside the team, staff since moved away): a supervisor can take each
    away."""
    return list(
        CaseKey.objects.filter(held_beyond_membership(), case=case)
        .select_related("user", "granted_by")
        .order_by("user__username")
    )


def links_for(user: User, case: Case) -> list[CaseLink]:
    """Likely and confirmed duplicates of ``case`` among the cases ``user`` can
    read, most similar first, each with ``related`` set to the other case."""
    visible = Case.objects.visible_to(user).values("pk")
    links = list(
        CaseLink.objects.filter(
            (Q(case=case) & Q(other__in=visible))
            | (Q(other=case) & Q(case__in=visible))
        )
        .exclude(state=LinkState.DISMISSED)
        .select_related("case__report__category", "other__report__category")
        .order_by("-similarity", "pk")
    )
    for link in links:
        link.related = link.other if link.case_id == case.pk else link.case
    return links


def history_of(case: Case) -> list[AuditEvent]:
    """What staff did with the case, oldest first, each with a ``summary`` in
    words (a status change names the new status and outcome)."""
    events = list(
        AuditEvent.objects.filter(target=f"case:{case.pk}")
        .select_related("actor")
        .order_by("pk")
    )
    for event in events:
        event.summary = _summary(event)
    return events


def _summary(event: AuditEvent) -> str:
    text = actions.label(event.action)
    if event.action == "case.status":
        status = event.detail.get("to", "")
        outcome = event.detail.get("outcome", "")
        if status in Status.values:
            text += f" → {Status(status).label}"
        if outcome in Outcome.values:
            text += f" ({Outcome(outcome).label})"
    return text


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


def filter_categories() -> list[Category]:
    return list(
        Category.objects.select_related("profile").order_by("profile", "position")
    )
