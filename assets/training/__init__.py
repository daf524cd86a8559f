"""Training assets (tokenizer, pretraining, SFT, reward model, DPO) live in this package."""
