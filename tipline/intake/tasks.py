from __future__ import annotations

from django_tasks import task

from tipline.cases import evidence
from tipline.intake import handles, held


@task()
def sweep_orphaned_files() -> int:
    """Delete evidence blobs left in storage by a submission that never committed,
    browser handles past their purge hour (receipt pages, sign-ins, drafts), and
    files held for a second step of the report form past theirs."""
    return (
        evidence.sweep_orphans() + handles.sweep_expired() + held.sweep_expired_holds()
    )
