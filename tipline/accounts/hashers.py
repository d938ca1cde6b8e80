"""Staff password hashes: Argon2id, never cheaper than the lock on the private key.

Threat handled: a stolen copy of the database. Each staff private key is locked
under the password with Argon2id (``KEY_PASSWORD_OPSLIMIT``/``MEMLIMIT``, 2 passes
and 64 MiB by default). If the password hash were cheaper to test (Django's default
PBKDF2 costs no memory, so it is far cheaper on GPUs), it would be the better
offline target, and a guessed password opens the key. So the hash uses Argon2id
with at least the key lock's passes and memory, and never less than Django's own
Argon2 defaults (2 passes, 100 MiB). Hashes made with an older hasher or weaker
parameters are rewritten at the user's next sign-in (Django does this when the
preferred hasher or its parameters change).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

KIB = 1024


class StaffArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2id hasher (argon2-cffi), its cost tied to the key lock's."""

    # Read from settings at each use, so that a stronger key lock configured at run
    # time raises the hash's cost too. (mypy: read-only properties in place of
    # Django's class attributes, which nothing assigns to.)
    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return max(Argon2PasswordHasher.time_cost, settings.KEY_PASSWORD_OPSLIMIT)

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        """In KiB, as argon2-cffi counts it (libsodium's memlimit is in bytes)."""
        return max(
            Argon2PasswordHasher.memory_cost, settings.KEY_PASSWORD_MEMLIMIT // KIB
        )
