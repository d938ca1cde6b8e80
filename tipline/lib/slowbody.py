"""Receive each request body in full, at a minimum rate, before the application runs.

The threat: a client that sends its body a byte at a time holds whichever thread
reads it. Under gunicorn's gthread worker with one thread per process, eight such
connections (one byte every two seconds) stopped the whole site answering
(issue 12, point 2). Reading bodies inside the application also holds a database
connection and one of the few CPU-bound application threads meanwhile.

The design keeps two kinds of thread per process apart:

- *receivers* (gunicorn's threads, many and cheap: they wait on sockets, not on
  the CPU) read a request's headers and then its whole body here, before any
  application code runs, into memory (bodies up to 1 MiB always, larger ones
  while the process holds fewer than ``memory_bytes`` of them) or else into an
  encrypted spool (ciphertext only on disk, as uploads always were);
- *application threads* (few, ``app_threads``, each with its own database
  connection) run Django on requests that are complete, so a slow body never
  occupies one;
- *upload threads* (``upload_threads``, as many as there are scrub workers)
  run the requests whose body carries a file. Scrubbing a file waits on a
  sandbox worker for up to its limits (tipline/intake/sandbox.py): on an
  application thread, two hostile files held every page of a process for
  35 s. Pages, sign-ins and text-only reports never wait behind a file.

A watchdog cuts off any body that, after ``grace_seconds``, has averaged less than
``min_bytes_per_second`` since its headers arrived: the server answers
408 Request Timeout and closes the connection. An honest upload over Tor (tens of
KB/s) is far above the floor; holding every receiver then costs an attacker
``receivers * min_bytes_per_second`` of sustained upload, and connections beyond
the receivers wait in the queue (each wave for one grace period) at no cost to
the application threads. A body
declared larger than ``max_bytes`` is refused at once with 413. The same
watchdog ends a connection whose headers are still incomplete after the grace
period (``ReceivingWorker``, gunicorn's gthread worker with that one addition).
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from gunicorn.workers.gthread import ThreadWorker

WSGIApp = Callable[..., Iterable[bytes]]

# Bodies are read in steps of at least this size; the watchdog allows one such
# step of lag.
STEP = 4096
# While the bytes are already there (each read returns within FAST_READ_SECONDS),
# the step doubles up to MAX_STEP: gunicorn copies what it has buffered on every
# read, so 4 KiB steps over a 10 MB upload cost more than receiving it (issue 12).
# A read that has to wait for the client drops back to STEP, so a slow client's
# progress shows in steps the watchdog can see. The watchdog's allowance stays
# one STEP, so a burst buys no more time than its bytes: bytes inside a step
# still being read are not counted yet (at most half of what the client sent,
# as steps double), which can only cut a client that stalls mid-step sooner.
MAX_STEP = 1024 * 1024
FAST_READ_SECONDS = 0.05
# Bodies up to this size are kept in memory, like Django's own form bodies.
# Larger ones are kept in memory too while the process's budget for them allows
# (``memory_bytes``): spooling a body only to have Django read it back and spool
# its files again cost a tenth of an upload's time, and a body in memory still
# reaches the form when the disk is full, so the reporter gets the form back
# with the typed answers and the "out of storage space" message, not a bare 503.
IN_MEMORY_BYTES = 1024 * 1024
WATCH_INTERVAL = 0.25


@dataclass(eq=False)
class _BodyRead:
    sock: socket.socket | None
    started: float = field(default_factory=time.monotonic)
    received: int = 0
    cut: bool = False
    headers: bool = False  # still waiting for the request's headers
    sending: bool = False  # the answer going out; ``received``: bytes sent


class _Watchdog:
    """One thread per process that cuts off bodies arriving below the floor."""

    def __init__(self, *, min_bytes_per_second: int, grace_seconds: float) -> None:
        self.min_rate = min_bytes_per_second
        self.grace = grace_seconds
        self._reads: set[_BodyRead] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def watching(self, read: _BodyRead) -> Iterator[_BodyRead]:
        with self._lock:
            self._reads.add(read)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tipline-body-watchdog", daemon=True
                )
                self._thread.start()
        try:
            yield read
        finally:
            with self._lock:
                self._reads.discard(read)

    def headers_arrived(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._reads -= {r for r in self._reads if r.headers and r.sock is sock}

    def _run(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL)
            now = time.monotonic()
            with self._lock:
                late = [read for read in self._reads if self._too_slow(read, now)]
            for read in late:
                read.cut = True
                # Wakes the receiver's blocked recv() with end-of-file; the
                # socket can still send the 408. An answer the client stopped
                # reading is cut both ways: the blocked send() fails at once.
                how = socket.SHUT_RDWR if read.sending else socket.SHUT_RD
                if read.sock is not None:
                    with contextlib.suppress(OSError):
                        read.sock.shutdown(how)

    def _too_slow(self, read: _BodyRead, now: float) -> bool:
        elapsed = now - read.started
        return (
            not read.cut
            and elapsed > self.grace
            and read.received + STEP < self.min_rate * elapsed
        )


class _MemoryBudget:
    """How many bytes of large bodies one process may hold in memory at once."""

    def __init__(self, limit: int) -> None:
        self.limit, self.held = limit, 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if self.held + size > self.limit:
                return False
            self.held += size
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self.held -= size


class _HeldBody(io.BytesIO):
    """A large body held in memory; closing it gives its bytes back."""

    def __init__(self, budget: _MemoryBudget, size: int) -> None:
        super().__init__()
        self._budget, self._size = budget, size

    def close(self) -> None:
        # Whoever closes it first (Django, a refusal, the receiver) gives the
        # bytes back, once: closing a BytesIO frees its buffer.
        size, self._size = self._size, 0
        if size:
            self._budget.give(size)
        super().close()


class _FileScan:
    """Whether a multipart body carries a file, as Django will see it: Django
    makes an upload of every part whose Content-Disposition has a non-empty
    ``filename`` (also spelt ``FileName``, ``filename*``, ``filename*0``...).

    Erring on the side of "yes": any ``filename``, anywhere, in any case, counts
    unless it is exactly the empty ``filename=""`` that browsers send for a file
    field left empty. A "yes" too many only runs a request on an upload thread;
    a "no" too few would let a file be scrubbed on an application thread.
    """

    NAME = b"filename"
    LOOKAHEAD = 5  # '=""' and the byte after it
    TAIL = len(NAME) + LOOKAHEAD + 3

    def __init__(self) -> None:
        self.found = False
        self._tail = b""

    def feed(self, chunk: bytes, *, last: bool = False) -> None:
        if self.found:
            return
        window = (self._tail + chunk).lower()
        start = 0
        while (at := window.find(self.NAME, start)) != -1:
            after = window[at + len(self.NAME) : at + len(self.NAME) + self.LOOKAHEAD]
            if len(after) < self.LOOKAHEAD and not last:
                break  # decided with the next chunk: the tail keeps it
            if not (after.startswith(b'=""') and after[3:4] in (b"\r", b";")):
                self.found = True
                return
            start = at + len(self.NAME)
        self._tail = window[-self.TAIL :]


class _Refusal(Exception):
    def __init__(self, status: str, text: str) -> None:
        self.status, self.text = status, text


class BodyFirst:
    """WSGI middleware: the body first (bounded in rate and size), then the app
    on one of ``app_threads`` threads."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        spool: Callable[[], Any],
        max_bytes: int,
        memory_bytes: int = 0,
        min_bytes_per_second: int,
        grace_seconds: float,
        app_threads: int,
        upload_threads: int = 1,
    ) -> None:
        self.app = app
        self.spool = spool
        self.max_bytes = max_bytes
        self.budget = _MemoryBudget(memory_bytes)
        self.watchdog = _Watchdog(
            min_bytes_per_second=min_bytes_per_second, grace_seconds=grace_seconds
        )
        self.executor = ThreadPoolExecutor(
            max_workers=app_threads, thread_name_prefix="tipline-app"
        )
        self.upload_executor = ThreadPoolExecutor(
            max_workers=max(upload_threads, 1), thread_name_prefix="tipline-upload"
        )

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        self.watchdog.headers_arrived(environ.get("gunicorn.socket"))
        try:
            with _client_language(environ):
                body, files = self._receive(environ)
        except _Refusal as refusal:
            # gunicorn ignores an application's "Connection: close"; ending the
            # socket's read side makes it close the connection after the answer
            # instead of draining the rest of a body it will never use.
            sock = environ.get("gunicorn.socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RD)
            return _refuse(start_response, refusal)
        if body is not None:
            environ["wsgi.input"] = body
        # The response is produced on an application thread and sent from this
        # one: a client that reads slowly holds a receiver, not the application.
        executor = self.upload_executor if files else self.executor
        try:
            response = executor.submit(self.app, environ, start_response).result()
        except BaseException:
            _finish(body)
            raise
        sending = _BodyRead(environ.get("gunicorn.socket"), sending=True)
        return _Sent(response, body, self.watchdog.watching(sending))

    def _receive(self, environ: dict[str, Any]) -> tuple[BinaryIO | None, bool]:
        """The body, received whole, and whether it carries a file."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise _Refusal("400 Bad Request", _("The request is malformed.")) from None
        if length <= 0:
            return None, False
        content_type = str(environ.get("CONTENT_TYPE", "")).strip().lower()
        scan = _FileScan() if content_type.startswith("multipart/") else None
        if length > self.max_bytes:
            raise _Refusal(
                "413 Content Too Large", _("The request is too large to accept.")
            )
        source = environ["wsgi.input"]
        sink: Any = io.BytesIO()
        if length > IN_MEMORY_BYTES and self.budget.take(length):
            sink = _HeldBody(self.budget, length)
        step = STEP
        with self.watchdog.watching(_BodyRead(environ.get("gunicorn.socket"))) as read:
            while read.received < length:
                asked = time.monotonic()
                try:
                    chunk = source.read(min(step, length - read.received))
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                fast = time.monotonic() - asked < FAST_READ_SECONDS
                step = min(step * 2, MAX_STEP) if fast else STEP
                try:
                    sink = self._write(sink, chunk)
                except OSError:
                    _close(sink)
                    raise _Refusal(
                        "503 Service Unavailable",
                        _(
                            "The server is out of storage space, so nothing was "
                            "stored. Try again later."
                        ),
                    ) from None
                read.received += len(chunk)
                if scan is not None:
                    scan.feed(chunk, last=read.received >= length)
        if read.received < length:
            _close(sink)
            if read.cut:
                raise _Refusal(
                    "408 Request Timeout",
                    _("The request arrived too slowly and was stopped. Try again."),
                )
            raise _Refusal("400 Bad Request", _("The request ended early."))
        return self._readable(sink), scan is not None and scan.found

    def _write(self, sink: Any, chunk: bytes) -> Any:
        """Write ``chunk``, moving to an encrypted spool past IN_MEMORY_BYTES
        unless the body's size was taken from the memory budget."""
        if type(sink) is io.BytesIO and sink.tell() + len(chunk) > IN_MEMORY_BYTES:
            spool = self.spool()
            try:
                spool.write(sink.getbuffer())
            except OSError:
                spool.close()
                raise
            sink = spool
        sink.write(chunk)
        return sink

    @staticmethod
    def _readable(sink: Any) -> BinaryIO:
        if isinstance(sink, io.BytesIO):
            sink.seek(0)
            return sink
        sink.finish()
        return io.BufferedReader(_SpoolBody(sink), 64 * 1024)


class ReceivingWorker(ThreadWorker):
    """gunicorn's gthread worker, with each request's headers under the same
    watchdog: headers still incomplete after the grace period (an honest client
    sends them in one packet) end the connection."""

    def handle(self, conn: Any) -> Any:
        watchdog = getattr(self.wsgi, "watchdog", None)
        if watchdog is None:
            return super().handle(conn)
        with watchdog.watching(_BodyRead(conn.sock, headers=True)):
            return super().handle(conn)


class _SpoolBody(io.RawIOBase):
    """The spool's plaintext for the application; closing it drops the spool."""

    def __init__(self, spool: Any) -> None:
        self.spool, self.source = spool, spool.reader()

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        return int(self.source.readinto(target))

    def close(self) -> None:
        self.spool.close()
        super().close()


class _Sent:
    """The application's response, iterated by the receiver under the watchdog
    (a client that stops reading is held to the same floor as a slow body: the
    server counts a chunk as sent when it asks for the next one); closing it
    also drops the received body and any database connection the receiver
    opened."""

    def __init__(
        self,
        response: Iterable[bytes],
        body: BinaryIO | None,
        watch: contextlib.AbstractContextManager[_BodyRead],
    ) -> None:
        self.response, self.body, self.watch = response, body, watch
        self.sending = watch.__enter__()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.response:
            yield chunk
            self.sending.received += len(chunk)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            self.watch.__exit__(None, None, None)
            _finish(self.body)


def _finish(body: BinaryIO | None) -> None:
    """A streamed response may query the database as it is sent (a download's
    key is looked up lazily), on this receiver's own connection: closing it
    keeps database connections to the application threads' count."""
    from django.db import connections

    if body is not None:
        _close(body)
    connections.close_all()


def _close(sink: Any) -> None:
    with contextlib.suppress(Exception):
        sink.close()


def _refuse(start_response: Callable[..., Any], refusal: _Refusal) -> list[bytes]:
    body = (refusal.text + "\n").encode()
    start_response(
        refusal.status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


@contextlib.contextmanager
def _client_language(environ: dict[str, Any]) -> Iterator[None]:
    """The language the client chose (cookie, then Accept-Language), as Django's
    LocaleMiddleware picks it, for a refusal sent before Django runs."""
    from http.cookies import SimpleCookie

    from django.utils import translation

    cookies = SimpleCookie()
    with contextlib.suppress(Exception):
        cookies.load(environ.get("HTTP_COOKIE", ""))
    shim = _RequestShim({k: m.value for k, m in cookies.items()}, environ)
    with translation.override(translation.get_language_from_request(shim)):  # type: ignore[arg-type]
        yield


@dataclass
class _RequestShim:
    # What get_language_from_request reads of an HttpRequest, by its names.
    COOKIES: dict[str, str]
    META: dict[str, Any]


def _(text: str) -> str:
    """Translated when Django is set up (the message is for the client)."""
    from django.utils.translation import gettext

    return gettext(text)
