from __future__ import annotations

from django_tasks import task

from tipline.cases import deadlines, priority, retention


@task()
def email_overdue_cases() -> int:
    """Daily: tell supervisors which cases are past a deadline."""
    return deadlines.email_overdue_cases()


@task()
def purge_expired_cases() -> int:
    """Daily: destroy cases whose retention period has ended."""
    return retention.purge_due().cases


@task()
def refresh_priorities() -> int:
    """Daily: scores grow with the age of open cases."""
    return priority.refresh()
