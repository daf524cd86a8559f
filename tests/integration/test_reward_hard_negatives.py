"""Off-prompt hard negatives in `reward_data`, and the diagnostics every reward model and DPO run
reports, on the feedback loop's run over the bundled sample."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flywheel.datasets import REWARD_DATA, REWARD_MODEL
from flywheel.evaluation.holdout import normalize
from flywheel.feedback.hard_negatives import OFF_PROMPT
from tests.integration.conftest import materialization_metadata

pytestmark = pytest.mark.slow
VIEWS = {"kind: off_topic", "kind: truncated", "kind: degraded", "kind: model_vs_model", "kind: other",
         "length within 20%",
         "prompt swap: own prompt scores higher", "all held-out pairs"}


def _diagnostics(metadata: dict) -> dict:
    return {row.data["view"]: row.data for row in metadata["diagnostics"].records}


def test_reward_data_adds_off_prompt_pairs_to_train_only(feedback_loop_run):
    pairs = materialization_metadata(feedback_loop_run[3], REWARD_DATA)
    path = Path(pairs["path"].removeprefix("file://"))
    train, held_out = (pq.read_table(path / f"{split}.parquet").to_pylist() for split in ("train", "held_out"))
    hard = [row for row in train if row["source"] == OFF_PROMPT]
    assert len(hard) == pairs["pairs_from_off_prompt"] > 30
    assert not any(row["source"] == OFF_PROMPT for row in held_out)  # held-out pairs stay as users gave them
    chosen_by_prompt = {}
    for row in train:
        chosen_by_prompt.setdefault(normalize(row["prompt"]), set()).add(normalize(row["chosen"]))
    for row in hard:  # the rejected answer is another training prompt's chosen answer
        owners = [p for p, answers in chosen_by_prompt.items() if normalize(row["rejected"]) in answers]
        assert owners and normalize(row["prompt"]) not in owners


def test_reward_model_and_dpo_report_what_they_learned_by_kind_of_pair(feedback_loop_run):
    result = feedback_loop_run[3]
    reward = materialization_metadata(result, REWARD_MODEL)
    views = _diagnostics(reward)
    assert set(views) == VIEWS
    assert views["all held-out pairs"]["pairs"] == reward["held_out_pairs"]
    assert views["kind: off_topic"]["pairs"] > 50 and views["kind: truncated"]["pairs"] > 5
    assert views["kind: truncated"]["accuracy"] > 0.8  # the easy kind
    # The sample's subtly wrong answers come as comparisons of two samples of one model.
    assert views["kind: model_vs_model"]["pairs"] > 5
    assert reward["model_vs_model_accuracy"] == views["kind: model_vs_model"]["accuracy"]
    assert 0 <= reward["prompt_swap_own_prompt_higher"] <= 1 and reward["off_topic_accuracy"] is not None
    aligned = materialization_metadata(result, "aligned_model")
    implicit = _diagnostics(aligned)
    assert set(implicit) == VIEWS
    # The same held-out pairs the DPO run reports `rewards/accuracies` on, scored after export.
    assert implicit["all held-out pairs"]["accuracy"] == pytest.approx(aligned["rewards/accuracies"], abs=0.05)
