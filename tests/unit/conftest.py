"""A tiny untrained model and its tokenizer, saved as training exports them, for unit tests of
what reads exported models."""

import gzip
import json

import pytest
import torch

from flywheel.training.presets import model_config
from flywheel.training.tokenizer import TokenizerSettings, load_tokenizer, train_tokenizer
from tests.integration.training_fixtures import REFERENCE


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A tokenizer and an untrained tiny Llama saved together, as `sft_model` exports are."""
    from transformers import LlamaForCausalLM

    out = tmp_path_factory.mktemp("model")
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        texts = [row["text"] for row in map(json.loads, handle)][:40]
    train_tokenizer(texts, TokenizerSettings(vocab_size=1024), out)
    t = load_tokenizer(str(out))
    torch.manual_seed(0)
    LlamaForCausalLM(model_config("tiny", len(t), 128, t.pad_token_id, t.bos_token_id, t.eos_token_id)
                     ).save_pretrained(str(out))
    return out
