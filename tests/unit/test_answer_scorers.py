"""The scorers of answers (the reward model as a judge, DPO's implicit reward) batch pairs in order
of length, and return each pair's score where the caller put the pair."""

import pytest
import torch

from flywheel.evaluation.implicit_reward import ImplicitReward
from flywheel.evaluation.judge import RewardJudge
from flywheel.training.datasets import chat_batches, encode_chat_example
from flywheel.training.tokenizer import load_tokenizer

PROMPTS = [f"What does option {i} do?" for i in range(11)]
ANSWERS = ["It sets the level. " * n for n in (9, 1, 30, 4, 4, 17, 2, 25, 0, 12, 6)]


def test_chat_batches_hold_every_pair_once_in_order_of_length(model_dir):
    tokenizer = load_tokenizer(str(model_dir))
    batches = list(chat_batches(PROMPTS, ANSWERS, tokenizer, 96, 4))
    assert sorted(position for positions, _ in batches for position in positions) == list(range(len(PROMPTS)))
    assert [len(positions) for positions, _ in batches] == [4, 4, 3]
    lengths = [int(length) for _, batch in batches for length in batch["attention_mask"].sum(dim=1)]
    assert lengths == sorted(lengths)
    for positions, batch in batches:  # each row is the pair at its position, padded to its batch's longest
        for row, position in enumerate(positions):
            ids, labels = encode_chat_example(PROMPTS[position], ANSWERS[position], tokenizer, 96)
            assert batch["input_ids"][row, :len(ids)].tolist() == ids
            assert batch["labels"][row, :len(labels)].tolist() == labels
        assert batch["input_ids"].shape[1] == int(batch["attention_mask"].sum(dim=1).max())

def test_a_judge_scores_each_pair_as_it_would_alone(model_dir, tmp_path):
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(0)
    AutoModelForSequenceClassification.from_pretrained(str(model_dir), num_labels=1).save_pretrained(str(tmp_path))
    load_tokenizer(str(model_dir)).save_pretrained(str(tmp_path))
    batched = RewardJudge(str(tmp_path), 96, batch_size=4).score(PROMPTS, ANSWERS)
    alone = RewardJudge(str(tmp_path), 96, batch_size=1).score(PROMPTS, ANSWERS)
    assert batched == pytest.approx(alone, abs=1e-4) and len(set(batched)) == len(PROMPTS)


def test_the_implicit_reward_scores_each_pair_as_it_would_alone(model_dir, tmp_path):
    from transformers import AutoModelForCausalLM

    reference = AutoModelForCausalLM.from_pretrained(str(model_dir))
    torch.manual_seed(0)
    with torch.no_grad():
        for parameter in reference.parameters():
            parameter.add_(0.05 * torch.randn_like(parameter))
    reference.save_pretrained(str(tmp_path))
    batched = ImplicitReward(str(model_dir), str(tmp_path), 96, batch_size=4).score(PROMPTS, ANSWERS)
    alone = ImplicitReward(str(model_dir), str(tmp_path), 96, batch_size=1).score(PROMPTS, ANSWERS)
    assert batched == pytest.approx(alone, abs=1e-3) and len(set(batched)) == len(PROMPTS)
