"""Review of issue 12, point 1: the web process trusts nothing a scrub worker
says. A worker that parsed hostile bytes may be the attacker's (a decoder
exploit): whatever it answers, the file is refused as too costly, never a 500
that loses the report, never an answer the pages cannot show.

The hostile worker is a real process speaking the pool's real protocol over real
pipes; only what it says is the attacker's."""

from __future__ import annotations

import resource

import pytest

from tipline.intake import sandbox


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
