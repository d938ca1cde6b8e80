"""Cases for the statistics tests, made through the real services at chosen
times: a report through the intake's submission service (so its time is
rounded as any reporter's is, and its channel set as the web form or the app
sets it), then acknowledged and closed through the case workflow."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import time_machine

from tipline.cases.models import Case, Channel
from tipline.cases.workflow import change_status
from tipline.intake import services as intake
from tipline.profiles.models import Category


def at(year, month, day=10, hour=12):
    return datetime(year, month, day, hour, 17, tzinfo=UTC)


def report(
    when, *, category="approach", channel=Channel.WEB, profile="national-security"
):
    chosen = Category.objects.get(profile__slug=profile, slug=category)
    answers = [
        {
            "name": spec["name"],
            "type": spec["type"],
            "label": spec["label"],
            "value": "seen",
        }
        for spec in chosen.fields
        if spec["type"] in ("text", "textarea")
    ]
    with time_machine.travel(when, tick=False):
        submission = intake.submit_report(
            category=chosen,
            answers=answers,
            token_secret=secrets.token_bytes(32),
            channel=channel,
        )
    return Case.objects.get(report=submission.report)


def move(case, user, when, status, outcome=""):
    case.refresh_from_db()
    with time_machine.travel(when, tick=False):
        change_status(
            case=case, user=user, status=status, outcome=outcome, version=case.version
        )
    case.refresh_from_db()
    return case


def handled(
    when,
    user,
    *,
    acknowledged_after=None,
    closed_after=None,
    outcome="unfounded",
    **kwargs,
):
    """A report received ``when``, acknowledged and closed that many days later."""
    case = report(when, **kwargs)
    if acknowledged_after is not None:
        case = move(case, user, when + acknowledged_after, "acknowledged")
    if closed_after is not None:
        case = move(case, user, when + closed_after, "closed", outcome)
    return case
