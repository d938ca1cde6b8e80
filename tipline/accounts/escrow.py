"""The organisation's escrow key pair, for the embedded default.

Imported by settings, so it imports nothing from Django apps.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tipline import crypto


def ensure_escrow_keypair(secrets_dir: Path) -> str:
    """Return the escrow public key (hex), generating the pair on first start.

    The private half is written to ``escrow_private_key`` (mode 0600). An operator
    should move that file off the server to offline custody: it is needed only to
    restore a staff member's access after a lost password. Losing it loses nothing
    else; leaving it beside the database weakens encryption at rest to the strength
    of the server's file permissions.
    """
    public_path = secrets_dir / "escrow_public_key"
    if public_path.exists():
        return public_path.read_text(encoding="ascii").strip()
    secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    pair = crypto.generate_keypair()
    private_path = secrets_dir / "escrow_private_key"
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process is generating the pair right now; wait for its public half.
        return _wait_for(public_path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(pair.private.hex() + "\n")
    tmp = public_path.with_suffix(".tmp")
    tmp.write_text(pair.public.hex() + "\n", encoding="ascii")
    tmp.chmod(0o600)
    tmp.replace(public_path)
    return pair.public.hex()


def _wait_for(path: Path) -> str:
    for _ in range(100):
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        time.sleep(0.05)
    raise RuntimeError(f"{path} was not written; remove escrow_private_key and retry")


class EscrowKeyInvalid(ValueError):
    """The text handed in is not this instance's escrow private key."""


def parse_escrow_private_key(text: str, *, public_key_hex: str) -> bytes:
    """The escrow private key in ``text`` (64 hex digits, as ``escrow_private_key``
    holds it), checked against this instance's public half before any use.

    The check comes first so that a key of another instance, or a truncated copy,
    is refused with a clear message instead of failing case by case.
    """
    cleaned = "".join(text.split())
    try:
        private = bytes.fromhex(cleaned)
        public = crypto.public_key_of(private)
    except ValueError:
        raise EscrowKeyInvalid(
            "This is not an escrow private key: expected 64 hexadecimal digits "
            "(the contents of escrow_private_key)."
        ) from None
    if public.hex() != public_key_hex.strip().lower():
        raise EscrowKeyInvalid(
            "This is not this instance's escrow private key: its public half does "
            "not match TIPLINE_ESCROW_PUBLIC_KEY."
        )
    return private
