from __future__ import annotations

from django_tasks import task

from tipline.intake import attachments


@task()
def sweep_orphaned_files() -> int:
    """Delete evidence blobs left in storage by a submission that never committed."""
    return attachments.sweep_orphans()
