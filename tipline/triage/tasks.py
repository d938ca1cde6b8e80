from __future__ import annotations

from django_tasks import task

from tipline.triage import priority


@task()
def refresh_priorities() -> int:
    """Daily: scores grow with the age of open cases."""
    return priority.refresh()
