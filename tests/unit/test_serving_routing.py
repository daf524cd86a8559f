"""Canary routing (sticky share) and the circuit breaker."""

from flywheel.serving.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from flywheel.serving.routing import CANARY, PRODUCTION, choose_alias
from flywheel.serving.settings import BreakerSettings

USERS = [f"user-{i}" for i in range(1000)]


def test_the_canary_share_over_1000_users_is_within_tolerance_and_sticky():
    for percent in (5.0, 10.0, 30.0):
        routed = [choose_alias(user, percent, canary_live=True) for user in USERS]
        share = routed.count(CANARY) / len(USERS)
        # Binomial standard deviation at n=1000 is at most 1.5 points; 3 sigma.
        assert abs(share - percent / 100) < 0.045, (percent, share)
        assert routed == [choose_alias(user, percent, canary_live=True) for user in USERS]


def test_raising_the_share_only_moves_users_to_the_canary():
    at_10 = {u for u in USERS if choose_alias(u, 10.0, True) == CANARY}
    at_30 = {u for u in USERS if choose_alias(u, 30.0, True) == CANARY}
    assert at_10 < at_30


def test_without_a_live_canary_everyone_gets_production():
    assert {choose_alias(u, 50.0, canary_live=False) for u in USERS} == {PRODUCTION}


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_breaker_opens_after_consecutive_failures_then_lets_one_trial_through():
    clock = Clock()
    breaker = CircuitBreaker(BreakerSettings(failure_threshold=3, cooldown_s=10), clock)
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()  # not consecutive: the count starts again
    for _ in range(3):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state == OPEN and not breaker.allow() and breaker.times_opened == 1
    clock.now = 10.5
    assert breaker.state == HALF_OPEN
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.record_failure()  # the trial failed: open for another cooldown
    assert breaker.state == OPEN and breaker.times_opened == 2
    clock.now = 21.0
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == CLOSED and breaker.allow()
