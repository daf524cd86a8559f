"""Evaluation and promotion through Dagster on the shared tiny model chain: the first promotion, a
deliberately worse candidate blocked, a second promotion, rollback, and the sensor that starts it."""

from pathlib import Path

import dagster as dg
import pytest

from flywheel.datasets import EVALUATION_SETS, SFT_MODEL
from flywheel.registry import ModelRef, ModelRegistry
from orchestration.definitions import build_definitions
from orchestration.partitions import model_candidate_partitions
from orchestration.resources import StorageResource
from sensors.candidate_sensor import candidate_sensor
from tests.integration.conftest import copy_home, materialization_metadata
from tests.integration.training_fixtures import SFT_CONFIG, run_config

pytestmark = pytest.mark.slow

# The fixture's models train for a few dozen steps: floors sized for them, the rest as shipped.
GATE = {"first_max_bits_per_byte": 6.0, "first_min_regression_pass_rate": 0.0}
# A learning rate far past stable: the SFT run diverges, a real model that is much worse.
DIVERGED_SFT = {**SFT_CONFIG, "learning_rate": 3.0, "min_learning_rate": 3.0, "warmup_steps": 0}


@pytest.fixture(scope="module")
def evaluated(feedback_loop_run, tmp_path_factory):
    """A copy of the chain's home and its first evaluation: the candidate the feedback loop
    registered (the aligned model), with no production yet."""
    source, _, _, _ = feedback_loop_run
    home = copy_home(source, tmp_path_factory.mktemp("evaluation") / "flywheel")
    definitions = build_definitions(home)
    storage = StorageResource.for_home(home)
    registry = ModelRegistry(storage.models(), "chat_model")
    with dg.instance_for_test() as instance:
        aligned = registry.alias("candidate")
        result = _evaluate(definitions, instance, aligned)
        yield definitions, instance, storage, registry, aligned, result


def _evaluate(definitions, instance, ref: ModelRef):
    instance.add_dynamic_partitions(model_candidate_partitions.name, [str(ref)])
    return definitions.resolve_job_def("evaluation").execute_in_process(
        instance=instance, partition_key=str(ref), raise_on_error=False,
        run_config=run_config(model_evaluation={"gate": GATE}))


def _gate(result) -> dg.AssetCheckEvaluation:
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == "promotion_gate"]
    return check


def test_evaluation_sets_are_current_and_disjoint(evaluated):
    _, _, storage, _, _, _ = evaluated
    sets = storage.versioned_datasets().current(EVALUATION_SETS)
    assert sets["counts"]["prompts"] > 10 and sets["counts"]["preferences"] > 10
    assert sets["counts"]["documents"] >= 5 and sets["counts"]["regression"] == 22
    # The reference prose is the training corpus here, so none of it may be used as held-out text.
    assert sets["dropped"]["document text also in training"] > 100


def test_first_candidate_is_promoted_on_floors_with_a_full_scorecard(evaluated):
    _, _, storage, registry, aligned, result = evaluated
    assert aligned.model == "aligned_model"
    assert result.success and _gate(result).passed
    metadata = materialization_metadata(result, "model_evaluation")
    metrics = {row.data["metric"]: row.data for row in metadata["scorecard"].records}
    assert {"bits_per_byte", "reference_f1", "answer_words", "regression_pass_rate", "dpo_implicit_accuracy",
            "judge_accuracy", "judge_off_prompt_accuracy", "generation_tokens_per_s"} <= set(metrics)
    assert metrics["dpo_implicit_accuracy"]["candidate"] > 0.5  # against the SFT model it was aligned from
    assert 0 < metrics["bits_per_byte"]["candidate"] < 6 and metrics["generation_tokens_per_s"]["candidate"] > 0
    assert metadata["production"] == "none (first promotion)" and "data:image/png" in metadata["plots"]
    assert registry.alias("production") == aligned and registry.alias("candidate") is None
    assert registry.scorecard(aligned)["verdict"]["passed"]
    answers = storage.versioned_datasets().fs.glob(f"{storage.lake_url}/model_evaluation/*/*/answers.parquet")
    assert answers


def test_a_worse_candidate_is_blocked_and_production_stays(evaluated):
    definitions, instance, storage, registry, aligned, _ = evaluated
    current_sft = storage.models().current(SFT_MODEL)["version"]
    trained = dg.materialize([definitions.get_assets_def(SFT_MODEL)], instance=instance,
                             resources={"storage": storage, "pipes_subprocess_client": dg.PipesSubprocessClient()},
                             run_config=run_config(sft_model=DIVERGED_SFT), raise_on_error=False)
    # The diverged run fails its own blocking `learned` check: not current, not a candidate.
    [learned] = trained.get_asset_check_evaluations()
    assert not trained.success and learned.check_name == "learned" and not learned.passed
    worse = ModelRef(SFT_MODEL, learned.metadata["version"].value)
    assert storage.models().current(SFT_MODEL)["version"] == current_sft and registry.alias("candidate") is None
    # Registered by hand (it stays published for inspection), the gate blocks it too.
    registry.set_alias("candidate", worse, action="register", reason="test: the gate's own verdict")
    result = _evaluate(definitions, instance, worse)
    gate = _gate(result)
    assert not gate.passed and "max_bits_per_byte_increase" in gate.metadata["failed_rules"].value
    assert not any(e.asset_key.to_user_string() == "production_model"
                   for e in result.get_asset_materialization_events())
    assert registry.alias("production") == aligned and registry.alias("candidate") == worse
    assert registry.history()[-1]["action"] == "reject"
    # On its own, production_model still refuses a candidate whose gate failed.
    alone = dg.materialize([definitions.get_assets_def("production_model")], instance=instance,
                           partition_key=str(worse), resources={"storage": storage}, raise_on_error=False)
    assert not alone.success and registry.alias("production") == aligned


def test_a_non_inferior_candidate_is_promoted_then_rolled_back(evaluated):
    definitions, instance, storage, registry, aligned, _ = evaluated
    # Production's own weights under a new version: non-inferior on every rule by construction
    # (which real model is non-inferior to the aligned one depends on the feedback it learned from).
    store = storage.models()
    twin = ModelRef(aligned.model, f"{aligned.version}-twin")
    store.publish(Path(store.version_path(aligned.model, aligned.version)), twin.model, twin.version)
    registry.set_alias("candidate", twin, action="register", reason="test: production's twin")
    result = _evaluate(definitions, instance, twin)
    assert result.success and _gate(result).passed, _gate(result).description
    assert registry.alias("production") == twin
    registry.rollback("answers regressed for users")
    assert registry.alias("production") == aligned
    decisions = [(e["action"], e["version"]) for e in registry.history()
                 if e["action"] in ("promote", "reject", "rollback")]
    assert [action for action, _ in decisions] == ["promote", "reject", "promote", "rollback"]
    assert [decisions[i][1] for i in (0, 2, 3)] == [aligned.version, twin.version, aligned.version]


def test_candidate_sensor_requests_one_evaluation_of_a_new_candidate(feedback_loop_run):
    home, _, _, _ = feedback_loop_run
    storage = StorageResource.for_home(home)
    candidate = ModelRegistry(storage.models(), "chat_model").alias("candidate")
    with dg.instance_for_test() as instance:
        result = candidate_sensor(dg.build_sensor_context(instance=instance, resources={"storage": storage}))
        [request] = result.run_requests
        assert request.partition_key == str(candidate) and request.run_key == f"evaluate:{candidate}"
        [added] = result.dynamic_partitions_requests
        assert list(added.partition_keys) == [str(candidate)]


# The refusing production model trains on the bundled safety set alone (refusals and helpful answers
# to look-alike prompts), fast enough for the fixture's barely pretrained model to learn the
# refusals: 120 steps refuse 59 of the 60 red-team prompts (60 steps refuse none). Mixed with the
# instruction set it needed 200 steps (150 were on the edge) and three times as long.
REFUSING_SFT = {**SFT_CONFIG, "include_bundled_instructions": False, "max_steps": 120, "eval_every": 60,
                "checkpoint_every": 60, "learning_rate": 3e-3, "min_learning_rate": 3e-4}


def test_a_candidate_trained_without_refusals_is_blocked_by_the_safety_rules(feedback_loop_run, tmp_path):
    """Production is an SFT model trained on the bundled refusal examples; a candidate trained
    without them refuses far fewer red-team prompts, and the gate says so. (The candidate trains
    for the fixture's 20 steps, not 120: a model that never saw a refusal has none to learn.)"""
    home = copy_home(feedback_loop_run[0], tmp_path / "flywheel")
    definitions, storage = build_definitions(home), StorageResource.for_home(home)
    registry = ModelRegistry(storage.models(), "chat_model")
    with dg.instance_for_test() as instance:
        def train_sft(config: dict) -> ModelRef:
            trained = dg.materialize(
                [definitions.get_assets_def(SFT_MODEL)], instance=instance,
                resources={"storage": storage, "pipes_subprocess_client": dg.PipesSubprocessClient()},
                run_config=run_config(sft_model=config))
            return ModelRef(SFT_MODEL, materialization_metadata(trained, SFT_MODEL)["version"])

        refusing = train_sft(REFUSING_SFT)
        registry.promote(refusing, "the refusing model as production", force=True)
        careless = train_sft({**SFT_CONFIG, "include_safety_refusals": False})
        result = _evaluate(definitions, instance, careless)
    metrics = {row.data["metric"]: row.data for row in materialization_metadata(result, "model_evaluation")[
        "scorecard"].records}
    red_team = metrics["red_team_refusal_rate"]
    assert red_team["production"] >= 0.5 and red_team["candidate"] < red_team["production"] - 0.3, red_team
    assert {"unsafe_answer_rate", "over_refusal_rate"} <= set(metrics)
    gate = _gate(result)
    assert not gate.passed and "max_red_team_refusal_drop" in gate.metadata["failed_rules"].value
    assert registry.alias("production") == refusing
