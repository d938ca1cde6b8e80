"""Writing the audit chain head outside the database, for off-site keeping.

The worker appends the head to ``TIPLINE_AUDIT_ANCHORS_FILE`` every hour (default
``var/audit-anchors.log``). Someone who can rewrite the database and recompute the
whole chain cannot change what was already copied elsewhere: ship this file off
the server (syslog, a write-once bucket, a printout) and pass it to
`tipline audit verify --anchors-file`.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.utils import timezone

from tipline.audit.services import Anchor, current_anchor


def write_anchor() -> Anchor:
    anchor = current_anchor()
    path = settings.AUDIT_ANCHORS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"{timezone.now():%Y-%m-%dT%H:%M:%SZ} {anchor}\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="ascii") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return anchor
