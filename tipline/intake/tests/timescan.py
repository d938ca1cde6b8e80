"""Find times in bytes: every textual and binary form a stored time may take.

A *window* is a span of time in which something happened (a reporter's request,
say). ``find_times`` reports every time in the data that falls in a window and
is finer than the hour, in any of these forms:

- text: ISO 8601 and SQLite's ``2026-03-14 15:09:26.535897`` (with ``T`` or a
  space, with or without seconds and fraction), compact ISO ``20260314T150926``,
  HTTP and log dates ``14 Mar 2026 15:09:26`` / ``14/Mar/2026:15:09:26``, and
  epoch seconds, milliseconds, microseconds or nanoseconds as digits;
- a bare ``HH:MM`` of a minute in the window (``15:09``);
- binary: 64-bit integers of epoch seconds, milliseconds and microseconds, and
  of microseconds since 2000 (PostgreSQL's timestamp), little- and big-endian,
  and 64-bit floats of epoch seconds.

Text forms are also matched when shifted by whole hours (an expiry computed as
"the time of the action plus eight hours" still gives the action's minute and
second away); binary forms are matched as they are.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
MONTHS += ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
EPOCH_2000 = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
# A shifted time counts from two days before a window to 100 days after it.
SHIFT_BEFORE, SHIFT_AFTER = timedelta(days=2), timedelta(days=100)

ISO = re.compile(
    rb"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
)
COMPACT = re.compile(rb"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?")
HTTP = re.compile(
    rb"(\d{1,2})[ /-](" + "|".join(MONTHS).encode() + rb")[ /-](\d{4})[ :]"
    rb"(\d{2}):(\d{2})(?::(\d{2}))?"
)
# Digits not inside a longer run of letters and digits (a hex hash is not a time).
EPOCH = re.compile(rb"(?<![0-9A-Za-z])(1[6-9]\d{8})(\d{3}|\d{6}|\d{9})?(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    name: str
    # A bare "15:09" is a clue only on a clock set far from the real one: on the
    # real clock, the minute of any other write around it would match.
    bare_minutes: bool = True

    def holds(self, at: datetime) -> bool:
        return self.start <= at <= self.end

    def holds_shifted(self, at: datetime, *, seconds_known: bool) -> bool:
        """``at`` is this window's time moved by whole hours (to the second, or to
        the minute when ``at`` has no seconds)."""
        if not self.start - SHIFT_BEFORE <= at <= self.end + SHIFT_AFTER:
            return False
        offset = _in_hour(at)
        first, last = _in_hour(self.start), _in_hour(self.end)
        if not seconds_known:
            offset, first, last = offset // 60, first // 60, last // 60
        if first <= last:
            return first <= offset <= last
        return offset >= first or offset <= last


@dataclass(frozen=True)
class Found:
    form: str
    text: str
    window: str
    # What surrounds it, to tell where it came from when a test fails.
    context: str = ""


def find_times(data: bytes, windows: list[Window]) -> list[Found]:
    """Every time in ``data`` that lies in a window and is finer than the hour."""
    # From the window's whole second: a time stored to the second is rounded down.
    windows = [replace(w, start=w.start.replace(microsecond=0)) for w in windows]
    found = list(_text_times(data, windows))
    found += _bare_minutes(data, windows)
    found += _binary_times(data, windows)
    return found


def _context(data: bytes, at: int) -> str:
    return data[max(0, at - 120) : at + 40].decode("ascii", "replace")


def _in_hour(at: datetime) -> int:
    return at.minute * 60 + at.second


def _finer_than_hour(at: datetime) -> bool:
    return (at.minute, at.second, at.microsecond) != (0, 0, 0)


def _text_times(data: bytes, windows: list[Window]) -> Iterator[Found]:
    for form, pattern, parse in (
        ("iso", ISO, _parse_iso),
        ("compact", COMPACT, _parse_compact),
        ("http", HTTP, _parse_http),
    ):
        for match in pattern.finditer(data):
            parsed = parse(match)
            if parsed is None:
                continue
            at, seconds_known = parsed
            if not _finer_than_hour(at):
                continue
            for window in windows:
                if window.holds_shifted(at, seconds_known=seconds_known):
                    yield Found(
                        form,
                        match.group().decode(),
                        window.name,
                        _context(data, match.start()),
                    )
    for match in EPOCH.finditer(data):
        digits = match.group(2) or b""
        fraction = int(digits) / 10 ** len(digits) if digits else 0.0
        at = datetime.fromtimestamp(int(match.group(1)) + fraction, UTC)
        if not _finer_than_hour(at):
            continue
        for window in windows:
            if window.holds_shifted(at, seconds_known=True):
                yield Found(
                    "epoch",
                    match.group().decode(),
                    window.name,
                    _context(data, match.start()),
                )


def _make(parts: list[bytes | None]) -> datetime | None:
    year, month, day, hour, minute, second, fraction = (
        (int(p) if p is not None else None) for p in parts
    )
    try:
        at = datetime(year, month, day, hour, minute, second or 0, tzinfo=UTC)
    except ValueError:
        return None
    if fraction is not None:
        text = parts[6].decode()
        at += timedelta(microseconds=int(text.ljust(6, "0")[:6]))
    return at


def _parse_iso(match: re.Match[bytes]) -> tuple[datetime, bool] | None:
    at = _make(list(match.groups()))
    return (at, match.group(6) is not None) if at else None


def _parse_compact(match: re.Match[bytes]) -> tuple[datetime, bool] | None:
    at = _make([*match.groups(), None])
    return (at, match.group(6) is not None) if at else None


def _parse_http(match: re.Match[bytes]) -> tuple[datetime, bool] | None:
    day, month, year, hour, minute, second = match.groups()
    number = str(MONTHS.index(month.decode()) + 1).encode()
    at = _make([year, number, day, hour, minute, second, None])
    return (at, second is not None) if at else None


def _bare_minutes(data: bytes, windows: list[Window]) -> Iterator[Found]:
    for window in filter(lambda w: w.bare_minutes, windows):
        minute = window.start.replace(second=0, microsecond=0)
        while minute <= window.end:
            text = f"{minute:%H:%M}"
            if minute.minute and text.encode() in data:
                yield Found("HH:MM", text, window.name)
            minute += timedelta(minutes=1)


# (name, struct format, seconds -> stored number, stored number -> seconds, how
# many high bytes to search for: whole seconds are exact, so all eight).
BINARY = [
    ("s", "q", int, float, 8),
    ("ms", "q", lambda s: int(s * 1e3), lambda v: v / 1e3, 5),
    ("us", "q", lambda s: int(s * 1e6), lambda v: v / 1e6, 5),
    (
        "us2000",
        "q",
        lambda s: int((s - EPOCH_2000) * 1e6),
        lambda v: v / 1e6 + EPOCH_2000,
        5,
    ),
    ("double", "d", float, float, 5),
]


def _binary_times(data: bytes, windows: list[Window]) -> Iterator[Found]:
    """Search for the high bytes a window's values share (every whole second of
    the window gives them all), then decode the eight bytes around each hit and
    keep those really in the window."""
    for window in windows:
        first, last = window.start.timestamp(), window.end.timestamp()
        for name, code, encode, decode, size in BINARY:
            for order in "<>":
                fmt = order + code
                needles = {
                    _high_bytes(struct.pack(fmt, encode(second)), order, size)
                    for second in range(math.floor(first), math.ceil(last) + 1)
                }
                for needle in needles:
                    for at in _decoded_hits(data, needle, fmt, order):
                        at = decode(at)
                        if first <= at <= last and at % 3600:
                            yield Found(f"{name}{order}", repr(at), window.name)


def _high_bytes(packed: bytes, order: str, size: int) -> bytes:
    return packed[8 - size :] if order == "<" else packed[:size]


def _decoded_hits(data: bytes, needle: bytes, fmt: str, order: str) -> Iterator[float]:
    start = data.find(needle)
    while start != -1:
        begin = start - (8 - len(needle)) if order == "<" else start
        if 0 <= begin <= len(data) - 8:
            (value,) = struct.unpack(fmt, data[begin : begin + 8])
            if math.isfinite(value):
                yield value
        start = data.find(needle, start + 1)
