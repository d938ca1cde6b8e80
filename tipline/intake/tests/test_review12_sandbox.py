"""Review of issue 12, point 1: the web process trusts nothing a scrub worker
says. A worker that parsed hostile bytes may be the attacker's (a decoder
exploit): whatever it answers, the file is refused as too costly, never a 500
that loses the report, never an answer the pages cannot show.

The hostile worker is a real process speaking the pool's real protocol over real
pipes; only what it says is the attacker's."""

from __future__ import annotations

import io
import resource
from pathlib import Path

import pytest

from tipline.intake import sandbox
from tipline.intake.scrub import FileRejected
from tipline.intake.tests.test_sandbox import (
    HostilePool,
)


@pytest.mark.parametrize(
    "lie",
    [
        "deep",  # RecursionError out of json.loads: a 500 that lost the report
        "long",  # OSError("bad message length"): a 500 too
        "infinite_size",  # OverflowError in int(): a 500 too
        "unknown_removed",  # checked already (sound): a label pages look up
    ],
)
def test_a_hostile_workers_answer_refuses_the_file_as_too_costly(lie, monkeypatch):
    monkeypatch.setenv("HOSTILE_WORKER_LIE", lie)
    pool = HostilePool(processes=1, seconds=5, memory_bytes=64 * 1024 * 1024)
    try:
        pool.warm()
        (liar,) = pool.worker_pids()
        with pytest.raises(FileRejected, match="too_costly"):
            pool.clean_upload(io.BytesIO(b"an ordinary note\n" * 1000))
        # The worker that lied is not used again.
        assert pool.worker_pids() == []
        assert not Path(f"/proc/{liar}").exists()
    finally:
        pool.close()


def _core_limit(pid: int) -> str:
    with open(f"/proc/{pid}/limits") as limits:
        line = next(line for line in limits if line.startswith("Max core file size"))
    return line.split()[4]  # the soft limit


@pytest.fixture
def core_dumps_allowed():
    """A host where the service may dump core (LimitCORE=infinity, or a shell
    with ``ulimit -c unlimited``): workers inherit the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    yield
    resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))


def test_a_worker_killed_mid_scrub_cannot_dump_the_plaintext_to_disk(
    core_dumps_allowed,
):
    """RLIMIT_CPU ends a worker with SIGXCPU, whose default action dumps core:
    the upload's plaintext (and the metadata being removed) would land on disk
    wherever core dumps go. Each worker allows itself no core dump."""
    pool = sandbox.ScrubPool(processes=1, seconds=5, memory_bytes=2**31)
    try:
        pool.warm()
        (pid,) = pool.worker_pids()
        assert _core_limit(pid) == "0"
    finally:
        pool.close()
