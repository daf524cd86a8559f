"""The `canary_rollout` sensor against a live model server: a healthy canary is stepped up and
promoted, a failing one is aborted, and the registry history says why (real sensor cursors)."""

import dagster as dg

from flywheel.serving.settings import FaultInjection
from orchestration.resources import ServingResource, StorageResource
from orchestration.resources.serving import CanaryConfig
from sensors.canary_rollout import canary_rollout
from tests.integration.serving_fixtures import V1, V2, V3, chat, registry, running

__all__ = ["registry"]


def _tick(instance, resources, cursor):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources)
    result = canary_rollout(context)
    return result, (result.cursor if isinstance(result, dg.SensorResult) and result.cursor is not None else cursor)


def _traffic(url, requests):
    for i in range(requests):
        assert chat(url, f"q{i}", model="canary", max_tokens=1).status_code == 200


def test_a_healthy_canary_is_stepped_up_and_promoted_and_a_failing_one_aborted(home, registry):
    registry.start_canary(V2, 25, "gate passed")
    with running(home, faults={str(V3): FaultInjection(error_rate=1.0)}) as (url, server):
        resources = {"storage": StorageResource.for_home(home), "serving": ServingResource(
            url=url, canary=CanaryConfig(min_requests=8, step_percent=25, max_percent=50))}
        with dg.instance_for_test() as instance:
            result, cursor = _tick(instance, resources, None)
            assert "window starts" in result.skip_reason.skip_message
            _traffic(url, 4)
            result, cursor = _tick(instance, resources, cursor)
            assert "4/8 canary requests" in result.skip_message
            _traffic(url, 4)
            result, cursor = _tick(instance, resources, cursor)
            assert registry.canary_percent() == 50
            assert [e.metadata["canary_decision"].value for e in result.asset_events] == ["step"]
            _, cursor = _tick(instance, resources, cursor)  # the 50% window starts
            _traffic(url, 8)
            _, cursor = _tick(instance, resources, cursor)
            assert registry.alias("production") == V2 and registry.alias("canary") is None

            registry.record_scorecard(V3, {"verdict": {"passed": True}, "production": str(V2)})
            registry.start_canary(V3, 10, "gate passed")
            server.live.refresh()
            _, cursor = _tick(instance, resources, cursor)
            _traffic(url, 3)  # answered by production, each a fallback
            result, cursor = _tick(instance, resources, cursor)
            assert registry.alias("canary") is None and registry.alias("production") == V2
            assert result.asset_events[0].metadata["canary_decision"].value == "abort"
    history = registry.history()
    assert [e["action"] for e in history if e["alias"] in ("canary", "production")][-6:] == [
        "canary_start", "canary_step", "promote", "canary_promoted", "canary_start", "canary_abort"]
    abort = history[-1]
    assert "3 failures in 3 requests" in abort["reason"] and abort["analysis"]["canary"]["fallbacks"] == 3
    promotion = next(e for e in history if e["action"] == "promote" and e["version"] == V2.version)
    assert promotion["previous"] == str(V1) and promotion["analysis"]["canary"]["requests"] == 8
