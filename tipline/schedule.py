"""Periodic background work, enqueued by `tipline worker` when it falls due.

Each entry is a django-tasks task and how often it runs. Whether it is due is read
from the task results table itself, so any number of workers can run: at worst two
enqueue the same idempotent task at the same moment.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from tipline.accounts.tasks import clear_expired_sessions
from tipline.audit.tasks import write_audit_anchor
from tipline.cases.tasks import (
    email_overdue_cases,
    purge_expired_cases,
    refresh_priorities,
)
from tipline.intake.tasks import sweep_orphaned_files

logger = logging.getLogger(__name__)

PERIODIC: list[tuple[Task[[], int] | Task[[], str], timedelta]] = [
    (sweep_orphaned_files, timedelta(hours=1)),
    (email_overdue_cases, timedelta(days=1)),
    (refresh_priorities, timedelta(days=1)),
    (purge_expired_cases, timedelta(days=1)),
    (write_audit_anchor, timedelta(hours=1)),
    # Expired sessions, some holding an encrypted private key (clearsessions).
    (clear_expired_sessions, timedelta(hours=1)),
]


def enqueue_due() -> list[str]:
    """Enqueue every periodic task not enqueued within its interval."""
    enqueued = []
    for task, interval in PERIODIC:
        recent = DBTaskResult.objects.filter(
            task_path=task.module_path, enqueued_at__gte=timezone.now() - interval
        )
        if not recent.exists():
            task.enqueue()
            enqueued.append(task.module_path)
            logger.info("enqueued %s", task.module_path)
    return enqueued
