"""Which alias answers a request: a sticky share of users goes to `canary` (KServe's
`canaryTrafficPercent`). A user's place in [0, 100) is a seeded hash of the `user` field, so the
same user meets the same version on every request, and raising the share only moves users from
production to canary, never back. Requests without a user are placed by their own id."""

from __future__ import annotations

from flywheel.stable_hash import stable_fraction

PRODUCTION, CANARY = "production", "canary"
ROUTING_SEED = 20  # fixed: changing it would reshuffle every user


def traffic_bucket(user_key: str) -> float:
    """The user's place in [0, 100)."""
    return 100.0 * stable_fraction(user_key, seed=ROUTING_SEED)


def choose_alias(user_key: str, canary_percent: float, canary_live: bool) -> str:
    return CANARY if canary_live and traffic_bucket(user_key) < canary_percent else PRODUCTION
