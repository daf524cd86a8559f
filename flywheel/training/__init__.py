"""Causal-LM training: tokenizer, packed corpus, model presets and the one DeepSpeed training loop
that pretraining, SFT, reward modelling and DPO share (they differ only in data and objective)."""
