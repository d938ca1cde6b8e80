"""Run the ``tipline`` command with the clock starting at a chosen instant.

    FROZEN_AT=2026-03-14T15:09:26.535897+00:00 \\
        python -m tipline.intake.tests.frozen_clock serve

A test rig (never shipped behaviour): time-machine moves the process's clock,
C-level calls included, and the clock then runs on from there, so gunicorn's
forked workers, Django and every library see the same chosen time. The kernel's
own clock (file inode change times, another server's clock) is not moved.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

import time_machine

if __name__ == "__main__":
    with time_machine.travel(datetime.fromisoformat(os.environ["FROZEN_AT"])):
        from tipline.cli import main

        sys.argv = ["tipline", *sys.argv[1:]]
        main()
