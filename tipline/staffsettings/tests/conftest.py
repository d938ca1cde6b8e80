"""The reward tests' cast and their approved offer, for the payout and records
pages (tipline/rewards/tests/conftest.py defines them; pytest finds fixtures
only in a test's own conftest files, so they are named here)."""

from tipline.rewards.tests.conftest import (  # noqa: F401
    approver,
    finance,
    offer,
    second_approver,
    substantiated,
)
