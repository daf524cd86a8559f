"""The promotion gate's rules on hand-made per-item results."""

import importlib.util

import pytest

from flywheel.bundled import EVALUATION_TASKS_DIR
from flywheel.evaluation.gate import GateRules, decide
from flywheel.evaluation.model_results import ModelResults
from flywheel.evaluation.scorecard import JudgeReport, compare


def _results(bits: float, passed: list[bool], answers: str = "an answer") -> ModelResults:
    return ModelResults(
        documents=[{"doc_id": f"d{i}", "bytes": 100, "bits": bits * 100 + (i % 3)} for i in range(40)],
        prompts=[{"prompt": f"p{i}", "answer": answers, "reference_f1": 0.2, "answer_words": 5} for i in range(30)],
        regression=[{"item_id": f"r{i}", "answer": answers, "passed": p} for i, p in enumerate(passed)],
        summary={"generated_tokens": 100, "generation_seconds": 1.0})


def _judge(candidate_wins: int, accuracy: float = 0.9, items: int = 30) -> JudgeReport:
    correct = int(accuracy * 40)
    return JudgeReport("reward_model:x", [True] * correct + [False] * (40 - correct),
                       [True] * correct + [False] * (40 - correct),
                       candidate_scores=[1.0] * candidate_wins + [0.0] * (items - candidate_wins),
                       production_scores=[0.5] * items)


def test_first_promotion_uses_absolute_floors():
    good = decide(compare("sft_model:a", _results(2.0, [True] * 8 + [False] * 2), None, None, None), GateRules())
    assert good.passed
    bad = decide(compare("sft_model:b", _results(5.0, [False] * 10), None, None, None), GateRules())
    assert not bad.passed
    assert {r.rule for r in bad.failures()} == {"first_max_bits_per_byte", "first_min_regression_pass_rate"}
    assert "by 2" in bad.failures()[0].detail


def test_a_non_inferior_candidate_passes_and_a_worse_one_fails_with_the_reason():
    production = _results(2.0, [True] * 10)
    card = compare("aligned_model:c", _results(2.0, [True] * 10), "sft_model:a", production, _judge(27))
    assert decide(card, GateRules()).passed
    worse = compare("aligned_model:d", _results(2.2, [True] * 9 + [False]), "sft_model:a", production, _judge(5))
    verdict = decide(worse, GateRules())
    assert not verdict.passed
    failed = {r.rule: r for r in verdict.failures()}
    assert set(failed) == {"max_bits_per_byte_increase", "keep_regression_checks", "min_win_rate_lower_bound"}
    assert failed["max_bits_per_byte_increase"].value == pytest.approx(0.1, abs=0.01)
    assert "r9" in failed["keep_regression_checks"].detail


def test_a_judge_below_its_floor_does_not_vote():
    production = _results(2.0, [True] * 10)
    card = compare("aligned_model:e", _results(2.0, [True] * 10), "sft_model:a", production, _judge(0, accuracy=0.5))
    verdict = decide(card, GateRules())
    win = next(r for r in verdict.rules if r.rule == "min_win_rate_lower_bound")
    assert win.passed is None and "not counted" in win.detail
    assert verdict.passed  # every counted rule passed


def test_scorecard_rows_are_paired_differences():
    production = _results(2.0, [True, False] * 5)
    card = compare("aligned_model:f", _results(1.9, [True] * 10), "sft_model:a", production, _judge(20))
    bpb = card.row("bits_per_byte")
    assert bpb.difference == pytest.approx(bpb.candidate - bpb.production)
    assert bpb.low <= bpb.difference <= bpb.high
    regression = card.row("regression_pass_rate")
    assert (regression.candidate, regression.production) == (1.0, 0.5)
    assert regression.p_value == pytest.approx(2 / 32)  # 5 discordant, all one way: 2 * 0.5**5
    assert card.row("win_rate_vs_production").candidate == pytest.approx(20 / 30)


def _task_metrics():
    spec = importlib.util.spec_from_file_location("metrics", EVALUATION_TASKS_DIR / "metrics.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_task_metrics_as_lm_eval_loads_them():
    metrics = _task_metrics()
    assert metrics.reference_f1("the json module", "The json module encodes JSON") == pytest.approx(2 * 1 * 0.6 / 1.6)
    assert metrics.reference_f1("", "anything") == 0.0
    assert metrics.regression_results({"must_contain": ["JSON"], "must_not_contain": ["click here"]},
                                      ["It reads json."]) == {"passed": 1.0}
    assert metrics.regression_results({"must_contain": [], "must_not_contain": ["click here"]},
                                      ["CLICK HERE now"]) == {"passed": 0.0}
    assert metrics.regression_results({"must_contain": [], "must_not_contain": []}, ["   "]) == {"passed": 0.0}
