import pytest

from flywheel.registry import ModelRef, ModelRegistry, RegistryError
from flywheel.versioned_store import VersionedStore
from tests.processes import run_concurrently


def _store(tmp_path, *refs: ModelRef) -> VersionedStore:
    store = VersionedStore(str(tmp_path / "models"))
    for ref in refs:
        source = tmp_path / "src" / ref.model / ref.version
        source.mkdir(parents=True)
        (source / "model.safetensors").write_text(ref.version)
        store.publish(source, ref.model, ref.version)
    return store


A, B, C = ModelRef("sft_model", "a1"), ModelRef("aligned_model", "b2"), ModelRef("aligned_model", "c3")


def test_production_takes_only_evaluated_versions_unless_forced(tmp_path):
    registry = ModelRegistry(_store(tmp_path, A), "chat_model")
    with pytest.raises(RegistryError, match="never evaluated"):
        registry.promote(A, "first model")
    with pytest.raises(RegistryError, match="no published version"):
        registry.promote(ModelRef("sft_model", "missing"), "typo", force=True)
    with pytest.raises(RegistryError, match="needs a reason"):
        registry.promote(A, " ", force=True)
    entry = registry.promote(A, "bootstrap before any evaluation existed", force=True)
    assert entry["forced"] and registry.alias("production") == A


def test_a_promoted_candidate_is_a_candidate_no_longer_even_when_forced(tmp_path):
    registry = ModelRegistry(_store(tmp_path, A, B), "chat_model")
    registry.set_alias("candidate", A, action="register", reason="trained")
    registry.promote(A, "the first chat model, by hand", force=True)
    assert registry.alias("candidate") is None  # else the candidate sensor evaluates production against itself
    assert [(e["action"], e["alias"]) for e in registry.history()][-1] == ("promoted", "candidate")
    registry.set_alias("candidate", B, action="register", reason="trained")
    registry.record_scorecard(A, {"win_rate": 0.5})
    registry.promote(A, "promoting another version leaves the candidate alone")
    assert registry.alias("candidate") == B


def test_promote_then_rollback_restores_the_previous_version_and_keeps_every_event(tmp_path):
    registry = ModelRegistry(_store(tmp_path, A, B, C), "chat_model")
    for ref in (A, B, C):
        registry.record_scorecard(ref, {"win_rate": 0.6})
    registry.promote(A, "first")
    registry.promote(B, "better on the gate", run_id="run-b")
    registry.reject(C, "failed the gate: bits-per-byte 3% worse", scorecard={"bits_per_byte": 1.03})
    registry.rollback("users report worse answers")
    assert registry.alias("production") == A
    actions = [(e["action"], e["version"], e["previous"]) for e in registry.history()]
    assert actions == [("promote", "a1", None), ("promote", "b2", "sft_model:a1"), ("reject", "c3", None),
                       ("rollback", "a1", "aligned_model:b2")]
    assert registry.history()[1]["scorecard"] == {"win_rate": 0.6} and registry.history()[1]["run_id"] == "run-b"
    with pytest.raises(RegistryError, match="no earlier production version"):
        registry.rollback("nothing before the first promotion")


def test_a_cleared_alias_is_gone_and_recorded(tmp_path):
    registry = ModelRegistry(_store(tmp_path, B), "chat_model")
    registry.set_alias("canary", B, action="canary", reason="10% of traffic")
    registry.clear_alias("canary", action="abort_canary", reason="error rate 4% > 1%")
    assert registry.alias("canary") is None and registry.history()[-1]["previous"] == "aligned_model:b2"


def _set_candidates(root: str, worker: int, count: int) -> None:
    registry = ModelRegistry(VersionedStore(root), "chat_model")
    for n in range(count):
        registry.set_alias("candidate", B if (worker + n) % 2 else C, action="register", reason=f"w{worker} n{n}")


def test_concurrent_alias_changes_never_lose_a_history_entry(tmp_path):
    store = _store(tmp_path, B, C)
    run_concurrently(_set_candidates, [(store.root, worker, 25) for worker in range(4)])
    history = ModelRegistry(store, "chat_model").history()
    assert len(history) == 100 and len({e["reason"] for e in history}) == 100
    # Each entry's `previous` is the alias the entry before it left: no change was lost or interleaved.
    assert all(later["previous"] == f"{earlier['model']}:{earlier['version']}"
               for earlier, later in zip(history, history[1:]))


def _passed(against):
    return {"verdict": {"passed": True}, "production": str(against) if against else None}


def test_a_canary_needs_a_gate_passed_against_todays_production_and_is_stepped_promoted_or_aborted(tmp_path):
    registry = ModelRegistry(_store(tmp_path, A, B, C), "chat_model")
    registry.record_scorecard(A, _passed(None))
    registry.promote(A, "first")
    with pytest.raises(RegistryError, match="not passed"):
        registry.start_canary(B, 10, "no scorecard")
    registry.record_scorecard(B, {"verdict": {"passed": False}, "production": str(A)})
    with pytest.raises(RegistryError, match="not passed"):
        registry.start_canary(B, 10, "failed gate")
    registry.record_scorecard(B, _passed(C))
    with pytest.raises(RegistryError, match="evaluated against"):
        registry.start_canary(B, 10, "stale")
    registry.record_scorecard(B, _passed(A))
    with pytest.raises(RegistryError, match="share"):
        registry.start_canary(B, 0, "no traffic")
    registry.set_alias("candidate", B, action="trained", reason="new")
    registry.start_canary(B, 10, "gate passed")
    assert registry.alias("canary") == B and registry.canary_percent() == 10
    registry.set_canary_percent(30, "healthy", details={"analysis": {"requests": 60}})
    assert registry.canary_percent() == 30
    registry.promote_canary("healthy at 50%")
    assert registry.alias("production") == B and registry.alias("canary") is None
    assert registry.alias("candidate") is None and registry.canary_percent() == 0
    registry.record_scorecard(C, _passed(B))
    registry.start_canary(C, 10, "gate passed")
    registry.abort_canary("error rate 100% > 5%", details={"analysis": {"failures": 9}})
    assert registry.alias("production") == B and registry.alias("canary") is None
    actions = [(e["action"], e["alias"]) for e in registry.history()]
    assert actions[-7:] == [("canary_start", "canary"), ("canary_step", "canary"), ("promote", "production"),
                            ("canary_promoted", "canary"), ("promoted", "candidate"), ("canary_start", "canary"),
                            ("canary_abort", "canary")]
    assert registry.history()[-1]["analysis"] == {"failures": 9}
    assert registry.previous_production() == A
