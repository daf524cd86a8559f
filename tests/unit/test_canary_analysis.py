"""The canary controller's decisions, on counters as the server reports them."""

from flywheel.serving.canary_analysis import ABORT, PROMOTE, STEP, WAIT, CanaryPolicy, decide, window

POLICY = CanaryPolicy(min_requests=50, step_percent=20, max_percent=50, min_ratings=10)


def stats(requests, failures=0, fallbacks=0, p95=0.1, up=0, down=0, flags=0):
    return {"requests": requests, "failures": failures, "fallbacks": fallbacks, "p95_latency_s": p95,
            "thumbs_up": up, "thumbs_down": down, "moderation_flags": flags}


PRODUCTION = stats(500, p95=0.1, up=30, down=10)


def test_waits_for_enough_requests_then_steps_up_and_finally_promotes():
    assert decide(stats(49), PRODUCTION, 10, POLICY).action == WAIT
    step = decide(stats(60), PRODUCTION, 10, POLICY)
    assert (step.action, step.percent) == (STEP, 30)
    assert decide(stats(60), PRODUCTION, 40, POLICY).percent == 50  # capped at max_percent
    assert decide(stats(60), PRODUCTION, 50, POLICY).action == PROMOTE


def test_aborts_on_each_unhealthy_signal():
    cases = {"error rate": stats(60, failures=4), "fallback rate": stats(60, fallbacks=4),
             "p95 latency": stats(60, p95=0.25), "thumbs-up": stats(60, up=4, down=8),
             "moderation flag": stats(60, flags=3)}
    for signal, canary in cases.items():
        decision = decide(canary, PRODUCTION, 10, POLICY)
        assert decision.action == ABORT and signal in decision.reason, (signal, decision)
        assert decision.percent == 0


def test_aborts_early_when_failures_alone_already_break_the_limit():
    decision = decide(stats(5, failures=3), PRODUCTION, 10, POLICY)  # 3 > 5% of 50
    assert decision.action == ABORT
    assert decide(stats(5, failures=2), PRODUCTION, 10, POLICY).action == WAIT


def test_ratings_count_only_once_both_versions_have_enough():
    assert decide(stats(60, up=0, down=5), PRODUCTION, 10, POLICY).action == STEP


def test_window_is_the_difference_from_the_step_start_and_survives_a_restart():
    before, now = stats(100, failures=2, up=5), stats(160, failures=3, up=9)
    assert window(now, before)["requests"] == 60 and window(now, before)["failures"] == 1
    assert window(now, before)["thumbs_up"] == 4
    restarted = stats(20, failures=1)
    assert window(restarted, before)["requests"] == 20
    assert window(None, None)["requests"] == 0
