"""The reward-model and DPO objectives on a tiny random model (no engine, no training)."""

import json
import math

import pytest
import torch

from flywheel.training.datasets import IGNORE_INDEX
from flywheel.training.objectives import objective_for
from flywheel.training.objectives.dpo import answer_log_probs
from flywheel.training.objectives.reward import PairwiseReward
from flywheel.training.preference_data import PreferenceExamples, split_pairs
from flywheel.training.spec import TrainingSpec
from flywheel.training.tokenizer import load_tokenizer

PAIRS = [{"prompt": f"What is item {n}?", "chosen": f"Item {n} is a well documented thing.",
          "rejected": "spam spam spam"} for n in range(6)]


def spec_for(objective: str, model_dir, tmp_path) -> TrainingSpec:
    paths = {}
    for split in ("train", "validation"):
        paths[f"{split}_path"] = str(tmp_path / f"{split}.jsonl")
        (tmp_path / f"{split}.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PAIRS))
    return TrainingSpec(objective=objective, version="v", tokenizer_path=str(model_dir),
                        init_model_path=str(model_dir), sequence_length=64, data=paths,
                        checkpoint_dir=str(tmp_path), export_dir=str(tmp_path), metrics_path=str(tmp_path / "m"))


def test_a_batch_holds_the_chosen_answers_then_the_rejected_ones(model_dir):
    tokenizer = load_tokenizer(str(model_dir))
    truncated_alike = {"prompt": "p " * 100, "chosen": "a", "rejected": "b"}
    examples = PreferenceExamples([*PAIRS[:3], truncated_alike], tokenizer, max_length=32)
    assert len(examples) == 3  # the long prompt leaves no answer tokens
    batch = examples.batch([0, 1, 2])
    chosen, rejected = split_pairs(batch["input_ids"])
    assert chosen.shape[0] == rejected.shape[0] == 3
    assert "well documented" in tokenizer.decode(chosen[1]) and "spam" in tokenizer.decode(rejected[1])
    answer = batch["labels"][0][batch["labels"][0] != IGNORE_INDEX]
    assert tokenizer.decode(answer).startswith("Item 0 is")


def test_answer_log_probs_sum_the_shifted_answer_tokens():
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 7)
    labels = torch.tensor([[IGNORE_INDEX, IGNORE_INDEX, 3, 4, IGNORE_INDEX], [IGNORE_INDEX, 1, 2, 3, 6]])
    log_probs = logits.log_softmax(-1)
    expected = torch.stack([log_probs[0, 1, 3] + log_probs[0, 2, 4],
                            log_probs[1, 0, 1] + log_probs[1, 1, 2] + log_probs[1, 2, 3] + log_probs[1, 3, 6]])
    assert torch.allclose(answer_log_probs(logits, labels), expected)


def test_dpo_starts_at_log_2_with_zero_rewards_and_kl(model_dir, tmp_path):
    objective = objective_for(spec_for("dpo", model_dir, tmp_path), load_tokenizer(str(model_dir)))
    policy = objective.build_model()
    batch = objective.train.batch(list(range(4)))
    loss = objective.loss(policy, batch)
    assert loss.item() == pytest.approx(math.log(2), abs=1e-5)
    metrics = objective.summarize(objective.evaluate(policy, [batch]))
    assert metrics["rewards/margins"] == pytest.approx(0, abs=1e-5) and metrics["rewards/accuracies"] == 0
    assert metrics["kl_to_reference"] == pytest.approx(0, abs=1e-6)
    loss.backward()  # gradients reach the policy and never the frozen reference
    assert any(p.grad is not None for p in policy.parameters())
    assert all(p.grad is None and not p.requires_grad for p in objective.reference.parameters())


def test_reward_model_scores_each_answer_with_one_number(model_dir, tmp_path):
    objective = objective_for(spec_for("reward", model_dir, tmp_path), load_tokenizer(str(model_dir)))
    model = objective.build_model()
    batch = objective.train.batch([0, 1, 2])
    chosen, rejected = objective.rewards(model, batch)
    assert chosen.shape == rejected.shape == (3,)
    loss = objective.loss(model, batch)
    assert loss.item() == pytest.approx(-torch.nn.functional.logsigmoid(chosen - rejected).mean().item())


def test_reward_metrics_are_accuracy_margin_and_reward_spread():
    totals = {"loss": 1.2, "correct": 3, "margin": 2.0, "reward": 4.0, "reward_sq": 16.0, "pairs": 4}
    metrics = PairwiseReward.summarize(totals)
    assert metrics["val_accuracy"] == 0.75 and metrics["val_margin"] == 0.5 and metrics["val_loss"] == 0.3
    assert metrics["val_reward_mean"] == 0.5 and metrics["val_reward_std"] == pytest.approx(math.sqrt(2 - 0.25))
    assert set(PairwiseReward.summarize(totals, "train")) == {
        "train_accuracy", "train_margin", "train_reward_mean", "train_reward_std"}
