"""The reward programme's models (issue 14), one module per part: the policy, its
tiers and budgets, proposals and their approval (policy.py); offers, claims and
payouts (offers.py); signed certificates and acknowledgements (certificates.py)."""

from tipline.rewards.models.certificates import *  # noqa: F403
from tipline.rewards.models.offers import *  # noqa: F403
from tipline.rewards.models.policy import *  # noqa: F403
