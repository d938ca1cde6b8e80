"""Scrubbing in a pool of separate processes with CPU, memory and time limits.

Threat handled: a small hostile file that makes a parser spend minutes or
gigabytes (issue 12: a progressive JPEG held a web worker for 155 s, an animated
PNG peaked at 2.8 GB). The scrubbers bound each known cause themselves; this is
the outer wall for the causes nobody has found yet. Each file is scrubbed in a
worker process whose CPU time (RLIMIT_CPU), address space (RLIMIT_AS) and wall
clock are limited (``TIPLINE_SCRUB_SECONDS``, ``TIPLINE_SCRUB_MEMORY_BYTES``). A
file that passes a limit, or a worker that dies however it dies (SIGKILL,
MemoryError, a segfault in a C decoder), is refused with ``too_costly``; the
dead worker is replaced, and the web thread only ever waited on a pipe, so it
held neither the GIL nor the report: the form is shown again with its text.

The plaintext never touches the disk: the upload is decrypted from its spool
chunk by chunk into a pipe, the worker holds it in memory, and the cleaned
file comes back through the other pipe (into a new EncryptedSpool when it is
large). Requests and answers are small JSON messages; the file's bytes follow
them raw, their length announced first, so each side reads them straight into
one buffer of that size (framing every megabyte as a message cost three extra
copies of the file each way: a fifth of the scrub of a 10 MB PDF).

Workers are fresh interpreters (``python -m tipline.intake.sandbox``)
that import only the scrub library, with an environment stripped of every
``TIPLINE_`` variable, so they inherit nothing of the web process (no keys, no
sessions, no database connections); each serves many files, so no interpreter
starts per file.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import io
import json
import logging
import math
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings

from tipline import scrub
from tipline.crypto import EncryptedSpool
from tipline.lib import confine
from tipline.scrub import (
    REJECTION_CODES,
    Cleaned,
    FileRejected,
    Remaining,
    detect,
)
from tipline.scrub.result import ordered

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

PIPE_CHUNK = 1024 * 1024
# Outputs larger than this come back into an encrypted spool, not memory.
SPOOL_ABOVE_BYTES = 16 * 1024 * 1024
# A worker is replaced after this many files, so that whatever a parser leaks or
# fragments cannot add up across files.
FILES_PER_WORKER = 200
_START_GRACE_SECONDS = 30.0
# The wall clock allows this much more than the CPU limit: passing a 50 MB file
# through the pipes, and a machine busy with other work, take time but no CPU.
WALL_GRACE_SECONDS = 5
_PR_SET_DUMPABLE = 4  # linux/prctl.h
logger = logging.getLogger(__name__)
_FORMATS = {
    (fmt.kind, fmt.content_type, fmt.extension): fmt for fmt in detect.FORMATS.values()
}


class _WorkerLost(Exception):
    """The worker passed a limit, died, or stopped answering."""


class _OutOfMemory(Exception):
    """The worker reported a MemoryError: it passed its address-space limit."""


class _Duplex:
    """One end of the worker's two pipes, used like a single Connection, plus
    raw reads and writes of a file's bytes between two messages."""

    def __init__(self, reader: Connection, writer: Connection) -> None:
        self.reader, self.writer = reader, writer
        self.recv_bytes, self.poll = reader.recv_bytes, reader.poll
        self.send_bytes = writer.send_bytes

    def write_raw(self, data: ReadableBuffer) -> None:
        view = memoryview(data).cast("B")
        while view:
            view = view[os.write(self.writer.fileno(), view) :]

    def read_raw_into(
        self, view: memoryview, wait: Callable[[], object] | None = None
    ) -> None:
        """Fill ``view`` from the pipe; EOFError if it closes first. ``wait``
        is called before each read (the web side's deadline)."""
        while view:
            if wait is not None:
                wait()
            count = os.readv(self.reader.fileno(), [view])
            if count == 0:
                raise EOFError
            view = view[count:]

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


# The worker side: runs in the child process, imports no Django settings.


def _limit_memory(memory_bytes: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        memory_bytes = min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))


def _no_core_dumps() -> None:
    """SIGXCPU (the CPU limit) and a crashing decoder dump core by default: the
    file's plaintext, and the metadata being removed, would land on disk. A
    process that is not dumpable also cannot be traced by others of its user."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def _limit_cpu(seconds: int) -> None:
    """Allow ``seconds`` more CPU time from now (the limit counts the process's
    whole life); past it the kernel sends SIGXCPU, which ends the process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = math.ceil(usage.ru_utime + usage.ru_stime)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _answer(conn: _Duplex, outcome: str, detail: Any = None) -> None:
    # JSON, never pickle: the web process must not unpickle what a process that
    # parsed hostile bytes wrote (a parser exploit would otherwise escape here).
    conn.send_bytes(json.dumps([outcome, detail]).encode())


def _request(conn: _Duplex) -> tuple[str, int]:
    """The next request: ("scrub", size), or ("stop", 0) when the pipe closed."""
    try:
        command, size = json.loads(conn.recv_bytes(1024))
    except (EOFError, OSError, ValueError, TypeError):
        return "stop", 0
    if command != "scrub" or not isinstance(size, int) or size < 0:
        return "stop", 0
    return command, size


def _send_output(conn: _Duplex, cleaned: Cleaned) -> None:
    if isinstance(cleaned.data, bytes):
        conn.write_raw(cleaned.data)
    else:
        for chunk in cleaned.data.chunks():
            conn.write_raw(chunk)
        cleaned.data.close()


def _describe(cleaned: Cleaned) -> dict[str, Any]:
    return {
        "kind": cleaned.kind,
        "content_type": cleaned.content_type,
        "extension": cleaned.extension,
        "removed": list(cleaned.removed),
        "fully_cleaned": cleaned.fully_cleaned,
        "remaining": [(part.code, part.embedded) for part in cleaned.remaining],
        "size": cleaned.size,
    }


def _scrub_one(conn: _Duplex, size: int, seconds: int) -> None:
    buffer = bytearray(size)
    conn.read_raw_into(memoryview(buffer))
    source = io.BytesIO(buffer)
    del buffer
    _limit_cpu(seconds)
    try:
        cleaned, _original = scrub.clean_upload(source, pdf_in_memory=True)
    except FileRejected as exc:
        _answer(conn, "rejected", exc.code)
        return
    except MemoryError:
        _answer(conn, "out_of_memory")
        return
    del source, _original
    _answer(conn, "cleaned", _describe(cleaned))
    _send_output(conn, cleaned)


def _serve(seconds: int, memory_bytes: int) -> None:
    """A worker's life: limits first, then one file after another. Requests
    come on stdin, answers go out on the original stdout; anything a library
    prints goes to stderr, where it cannot corrupt an answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the web process decides
    answers = os.dup(1)
    os.dup2(2, 1)
    conn = _Duplex(Connection(0, writable=False), Connection(answers, readable=False))
    _no_core_dumps()
    _limit_memory(memory_bytes)
    missing = confine.confine(readable_dirs())
    _answer(conn, "ready", missing)
    for _index in range(FILES_PER_WORKER):
        try:
            command, size = _request(conn)
            if command != "scrub":
                return
            _scrub_one(conn, size, seconds)
        except (EOFError, OSError):
            return
        except MemoryError:
            return  # the parent sees the pipe close: refused as too costly


def readable_dirs() -> list[str]:
    """What a confined worker may still read and execute from: the Python
    installation (parsers import modules as they go), the system's shared
    libraries and Tipline's own package. Never the working directory, the data
    directory, /etc or /tmp (tipline/lib/confine.py)."""
    import tipline

    return sorted(
        {
            sys.prefix,
            sys.base_prefix,
            sys.exec_prefix,
            sys.base_exec_prefix,
            os.path.dirname(os.path.abspath(tipline.__file__)),
            "/usr",
            "/lib",
            "/lib64",
        }
    )


# The web side.


def _checked(detail: Any) -> dict[str, Any]:
    """The worker's description of a cleaned file, checked field by field
    against what the scrub library can produce; _WorkerLost otherwise."""
    try:
        fmt = _FORMATS[(detail["kind"], detail["content_type"], detail["extension"])]
        remaining = tuple(
            Remaining(str(code), embedded is True)
            for code, embedded in detail["remaining"]
        )
        checked: dict[str, Any] = {
            "kind": fmt.kind,
            "content_type": fmt.content_type,
            "extension": fmt.extension,
            "removed": ordered(str(code) for code in detail["removed"]),
            "fully_cleaned": detail["fully_cleaned"] is True,
            "remaining": remaining,
            "size": int(detail["size"]),
        }
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise _WorkerLost from exc
    if checked["size"] < 0:
        raise _WorkerLost
    return checked


def _widen(fd: int) -> None:
    """Give a pipe a buffer of one PIPE_CHUNK rather than Linux's 64 KiB, so a
    chunk crosses it in one write instead of sixteen wake-ups of each side."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux, or capped
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_CHUNK)


# Environment variables a worker does not get: Tipline's settings, and the usual
# carriers of credentials for the database, object storage and other services.
_NOT_FOR_WORKERS = re.compile(
    r"TIPLINE_|DJANGO_|AWS_|PG|DATABASE|S3_|.*(KEY|SECRET|TOKEN|PASSWORD|PASSWD|"
    r"CREDENTIAL|AUTH)",
    re.IGNORECASE,
)


def _worker_env() -> dict[str, str]:
    """The web process's environment without any Tipline setting or secret."""
    return {
        key: value
        for key, value in os.environ.items()
        if not _NOT_FOR_WORKERS.match(key)
    }


class _Worker:
    # The program a worker runs (tests run a hostile one in its place).
    module = __name__

    def __init__(self, seconds: int, memory_bytes: int) -> None:
        self.memory_bytes = memory_bytes
        command = [sys.executable, "-m", self.module, str(seconds), str(memory_bytes)]
        # The command is this interpreter and this module, with two numbers.
        self.process = subprocess.Popen(  # noqa: S603
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_worker_env(),
            close_fds=True,
        )
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None:
            raise _WorkerLost
        for pipe in (stdin, stdout):
            _widen(pipe.fileno())
        self.conn = _Duplex(
            Connection(os.dup(stdout.fileno()), writable=False),
            Connection(os.dup(stdin.fileno()), readable=False),
        )
        stdin.close()
        stdout.close()
        self.files = 0
        self.timed_out = False
        self._wait(time.monotonic() + _START_GRACE_SECONDS)
        outcome, missing = self._answer()
        if outcome != "ready" or not isinstance(missing, list):
            raise _WorkerLost
        # The confinements this kernel could not apply (tipline/lib/confine.py).
        self.unconfined = sorted(str(part) for part in missing)

    @property
    def worn_out(self) -> bool:
        return self.files >= FILES_PER_WORKER or self.process.poll() is not None

    def scrub(self, source: BinaryIO, deadline: float) -> Cleaned:
        self.files += 1
        size = source.seek(0, io.SEEK_END)
        source.seek(0)
        try:
            self.conn.send_bytes(json.dumps(["scrub", size]).encode())
            sent = 0
            while chunk := source.read(min(PIPE_CHUNK, size - sent)):
                self.conn.write_raw(chunk)
                sent += len(chunk)
            if sent != size:
                raise _WorkerLost  # the upload changed under us: never expected
            self._wait(deadline)
            outcome, detail = self._answer()
            if outcome == "out_of_memory":
                raise _OutOfMemory
            if outcome == "rejected" and detail in REJECTION_CODES:
                raise FileRejected(detail)
            if outcome != "cleaned":
                raise _WorkerLost
            return self._cleaned(_checked(detail), deadline)
        except (EOFError, BrokenPipeError, ConnectionResetError) as exc:
            raise _WorkerLost from exc

    def _answer(self) -> tuple[str, Any]:
        """The worker's answer, read as untrusted data."""
        try:
            # OSError: longer than allowed; RecursionError: nested too deep.
            outcome, detail = json.loads(self.conn.recv_bytes(64 * 1024))
        except (OSError, ValueError, TypeError, RecursionError) as exc:
            raise _WorkerLost from exc
        if not isinstance(outcome, str):
            raise _WorkerLost
        return outcome, detail

    def _cleaned(self, detail: dict[str, Any], deadline: float) -> Cleaned:
        """The cleaned file's ``size`` bytes, as announced: read into memory, or
        through a bounded buffer into an EncryptedSpool when large. Whatever
        the worker sends beyond them is never read as this file (the worker
        is then out of step and is ended on its next request's answer)."""
        size = detail.pop("size")
        if size > self.memory_bytes:
            raise _WorkerLost  # more than it could have held: it is lying
        wait = functools.partial(self._wait, deadline)
        if size <= SPOOL_ABOVE_BYTES:
            buffer = bytearray(size)
            self.conn.read_raw_into(memoryview(buffer), wait)
            return Cleaned(data=bytes(buffer), **detail)
        spool = EncryptedSpool()
        piece = memoryview(bytearray(PIPE_CHUNK))
        try:
            left = size
            while left:
                part = piece[: min(left, PIPE_CHUNK)]
                self.conn.read_raw_into(part, wait)
                spool.write(part)
                left -= len(part)
            spool.finish()
        except BaseException:
            spool.close()
            raise
        return Cleaned(data=spool, **detail)

    def _wait(self, deadline: float) -> None:
        if not self.conn.poll(max(deadline - time.monotonic(), 0)):
            self.timed_out = True
            raise _WorkerLost

    def end(self) -> None:
        """Stop the worker (if it still runs) and collect its exit status."""
        with contextlib.suppress(OSError, ValueError, subprocess.TimeoutExpired):
            self.conn.close()
            if self.process.poll() is None and not self._exited(0.2):
                self.process.kill()
            self.process.wait(5)

    def _exited(self, seconds: float) -> bool:
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            return False
        return True


class ScrubPool:
    """Worker processes shared by every thread of one web process.

    At most ``processes`` files are scrubbed at once; a thread that finds every
    worker busy waits for one. Workers are started when first needed and kept.
    """

    worker = _Worker

    def __init__(self, *, processes: int, seconds: int, memory_bytes: int) -> None:
        self.pid = os.getpid()
        self.seconds = seconds
        self.memory_bytes = memory_bytes
        self._slots = threading.BoundedSemaphore(max(processes, 1))
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._warned = False

    def clean_upload(self, source: BinaryIO) -> Cleaned:
        """Scrub ``source`` in a worker; FileRejected("too_costly") if the file
        passes a limit or the worker dies."""
        with self._slots:
            worker = self._take()
            deadline = time.monotonic() + self.seconds + WALL_GRACE_SECONDS
            try:
                cleaned = worker.scrub(source, deadline)
            except (_WorkerLost, _OutOfMemory) as exc:
                worker.end()
                logger.warning(
                    "a file was refused: its scrub %s", self._why(exc, worker)
                )
                raise FileRejected("too_costly") from None
            except FileRejected:
                self._give_back(worker)  # an answer like any other: it can go on
                raise
            except BaseException:
                worker.end()  # its pipe may hold the rest of an answer
                raise
            self._give_back(worker)
            return cleaned

    def _why(self, exc: Exception, worker: _Worker) -> str:
        """Why a worker was given up, for the operator (nothing of the file)."""
        if isinstance(exc, _OutOfMemory):
            return f"needed more than {self.memory_bytes} bytes of memory"
        code = worker.process.returncode
        if code == -signal.SIGXCPU:
            return f"used more than {self.seconds} s of CPU"
        if worker.timed_out:
            return f"took longer than {self.seconds + WALL_GRACE_SECONDS} s"
        return f"worker ended with exit status {code}"

    def warm(self, count: int = 1) -> None:
        """Start ``count`` workers now rather than on the first upload."""
        workers = [self._take() for _index in range(count)]
        for worker in workers:
            self._give_back(worker)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._idle]

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.end()

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if not worker.worn_out:
                    return worker
                worker.end()
        try:
            worker = self.worker(self.seconds, self.memory_bytes)
        except (_WorkerLost, EOFError, OSError):
            raise FileRejected("too_costly") from None
        if worker.unconfined and not self._warned:
            self._warned = True
            logger.warning(
                "scrub workers run without %s: this kernel does not offer it "
                "(docs/security.md, The sandbox)",
                ", ".join(worker.unconfined),
            )
        return worker

    def _give_back(self, worker: _Worker) -> None:
        if worker.worn_out:
            worker.end()
            return
        with self._lock:
            self._idle.append(worker)


@functools.cache
def _pool_for(pid: int) -> ScrubPool:
    return ScrubPool(
        processes=settings.SCRUB_PROCESSES,
        seconds=settings.SCRUB_SECONDS,
        memory_bytes=settings.SCRUB_MEMORY_BYTES,
    )


def pool() -> ScrubPool:
    """This web process's pool (a process forked from another gets its own)."""
    return _pool_for(os.getpid())


def clean_upload(source: BinaryIO) -> tuple[Cleaned, BinaryIO]:
    """``scrub.clean_upload`` in the sandbox: the cleaned file, and ``source``
    rewound as the upload as received."""
    source.seek(0)
    cleaned = pool().clean_upload(source)
    source.seek(0)
    return cleaned, source


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]))
