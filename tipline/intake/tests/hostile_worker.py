"""A scrub worker that lies, for test_sandbox.py: it speaks the worker's
protocol (tipline/intake/sandbox.py) but answers as a worker taken over by a
parser exploit might. Which lie it tells comes from HOSTILE_WORKER_LIE."""

from __future__ import annotations

import json
import os
import sys
import time
from multiprocessing.connection import Connection

from tipline.intake.sandbox import _answer, _Duplex

TEXT = {
    "kind": "text",
    "content_type": "text/plain",
    "extension": ".txt",
    "removed": [],
    "fully_cleaned": True,
    "remaining": [],
}


def main(memory_bytes: int) -> None:
    lie = os.environ["HOSTILE_WORKER_LIE"]
    answers = os.dup(1)
    os.dup2(2, 1)
    conn = _Duplex(Connection(0, writable=False), Connection(answers, readable=False))
    _answer(conn, "ready", [])
    while True:
        try:
            _command, size = json.loads(conn.recv_bytes(1024))
        except EOFError:
            return
        conn.read_raw_into(memoryview(bytearray(size)))
        if lie == "not_json":
            conn.send_bytes(b"\x80\x04\x95 a pickle, perhaps")
        elif lie == "huge":  # more than it could hold: the web side must not take it
            _answer(conn, "cleaned", {**TEXT, "size": memory_bytes + 1})
            piece = b"x" * 1024 * 1024
            for _index in range(memory_bytes // len(piece)):
                conn.write_raw(piece)
            conn.write_raw(b"x")
        elif lie == "short":  # announces more than it sends, then stalls
            _answer(conn, "cleaned", {**TEXT, "size": 1000})
            conn.write_raw(b"x" * 10)
            time.sleep(60)
        elif lie == "unknown_format":
            _answer(conn, "cleaned", {**TEXT, "kind": "html", "size": 1})
            conn.write_raw(b"x")
        elif lie == "unknown_rejection":
            _answer(conn, "rejected", "<script>")
        elif lie == "deep":  # json.loads raises RecursionError
            conn.send_bytes(b"[" * 30000 + b"]" * 30000)
        elif lie == "long":  # longer than the 64 KiB an answer may be: OSError
            _answer(conn, "cleaned", "x" * 100_000)
        elif lie == "infinite_size":  # json.loads reads Infinity; int() overflows
            text = json.dumps(["cleaned", {**TEXT, "size": 0}])
            conn.send_bytes(text.replace('"size": 0', '"size": Infinity').encode())
        elif lie == "unknown_removed":
            _answer(conn, "cleaned", {**TEXT, "removed": ["made_up"], "size": 1})
            conn.write_raw(b"x")


if __name__ == "__main__":
    main(int(sys.argv[2]))
