"""Proof of work: a cost a browser with JavaScript pays only during a flood.

While the circuit breaker in tipline.intake.flood is tripped (which decides when
a proof is asked for and what it earns), a form without a
proof must have been open for ``FLOOD_MIN_FILL_SECONDS`` before it is accepted.
The report page then also asks the browser (tipline/static/tipline/proof.js) to
find a number ``n`` such that SHA-256 of ``"<form token>:<n>"`` begins with
``PROOF_OF_WORK_BITS`` zero bits: about 2**bits hashes, a second or two of one
core in a current browser, done while the reporter is still writing. A form
carrying a valid proof is held only for the usual ``FORM_MIN_FILL_SECONDS``.

What it changes: a script driving a real browser, the kind of flood that gets
past the form token and the honeypot, now burns CPU for every report it sends.
A person's browser does the work unnoticed. Without JavaScript nothing changes
except the longer wait during a flood: the form keeps working.

The puzzle is bound to the form token, which is signed, random and used once
(the same token stores at most one report), so a proof cannot be reused for
another report or computed before the form is fetched. Checking costs one hash.
Nothing in it identifies the browser.
"""

from __future__ import annotations

import hashlib

FIELD = "proof"
# A decimal counter; longer values are not a solution anyone's browser found.
MAX_LENGTH = 20


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def is_solved(token: str, proof: str, bits: int) -> bool:
    """Whether ``proof`` solves the puzzle for ``token`` at ``bits`` difficulty."""
    if not bits or not token or not proof:
        return False
    if len(proof) > MAX_LENGTH or not proof.isascii() or not proof.isdigit():
        return False
    digest = hashlib.sha256(f"{token}:{proof}".encode()).digest()
    return leading_zero_bits(digest) >= bits
