"""Deadlines: the daily list of overdue cases for supervisors.

The email names case numbers and which deadline passed, never report content:
email leaves the system unencrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tipline.accounts.models import Role, User
from tipline.cases.models import Case, Status


def overdue_for(user: User) -> list[Case]:
    now = timezone.now()
    return list(
        Case.objects.visible_to(user)
        .exclude(status=Status.CLOSED)
        .filter(Q(acknowledge_due__lt=now) | Q(feedback_due__lt=now))
        .order_by("acknowledge_due", "feedback_due", "pk")
    )


def _line(case: Case) -> str:
    path = settings.SITE_URL + reverse("cases:detail", args=[case.pk])
    if case.acknowledge_due and case.acknowledge_due < timezone.now():
        what = _("acknowledgement was due %(date)s") % {
            "date": f"{case.acknowledge_due:%Y-%m-%d}"
        }
    else:
        what = _("feedback to the reporter was due %(date)s") % {
            "date": f"{case.feedback_due:%Y-%m-%d}"
        }
    return f"#{case.pk}: {what} {path}"


def email_overdue_cases() -> int:
    """Send each supervisor the overdue cases they can read. Returns emails sent."""
    sent = 0
    supervisors = User.objects.filter(
        role=Role.SUPERVISOR, is_active=True, public_key__isnull=False
    ).exclude(email="")
    with translation.override(settings.LANGUAGE_CODE):
        for supervisor in supervisors:
            cases = overdue_for(supervisor)
            if not cases:
                continue
            body = "\n".join(
                [
                    _("These cases have a deadline that has passed:"),
                    "",
                    *[_line(case) for case in cases],
                ]
            )
            subject = _("Tipline: %(count)s overdue cases") % {"count": len(cases)}
            send_mail(subject, body, None, [supervisor.email])
            sent += 1
    return sent
