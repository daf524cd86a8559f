import math

from flywheel.training.learning_check import learning_verdict


def test_language_models_pass_when_held_out_loss_fell():
    assert learning_verdict("pretrain", {"initial_val_loss": 9.0, "val_loss": 6.2}).passed
    assert learning_verdict("sft", {"initial_val_loss": 6.4, "val_loss": 5.3}).passed
    failed = learning_verdict("sft", {"initial_val_loss": 6.4, "val_loss": 7.1})
    assert not failed.passed and failed.observed == 7.1 and failed.bound == 6.4 and "7.1 vs 6.4" in failed.description


def test_a_diverged_run_or_a_missing_evaluation_fails():
    assert not learning_verdict("pretrain", {"initial_val_loss": 9.0, "val_loss": math.nan}).passed
    missing = learning_verdict("pretrain", {"val_loss": 6.0})
    assert not missing.passed and "not measured" in missing.description


def test_reward_models_must_beat_chance_and_dpo_has_no_criterion():
    assert learning_verdict("reward", {"val_accuracy": 0.81}).passed
    assert not learning_verdict("reward", {"val_accuracy": 0.5}).passed
    assert learning_verdict("dpo", {"val_loss": 0.9, "initial_val_loss": 0.69}) is None
