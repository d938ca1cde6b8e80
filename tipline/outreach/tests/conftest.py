"""The reward tests' fixtures (an approved offer, the finance user, …), shared
with the public statistics tests rather than copied."""

from tipline.rewards.tests.conftest import (  # noqa: F401 (fixtures, used by name)
    approver,
    finance,
    offer,
    second_approver,
    substantiated,
)
