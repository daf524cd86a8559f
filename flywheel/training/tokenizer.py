"""A byte-level BPE tokenizer trained locally with Hugging Face `tokenizers` and saved so that
`transformers.AutoTokenizer.from_pretrained(path)` loads it, chat template included.

Byte-level BPE (GPT-2's scheme) never meets an unknown character: any UTF-8 text encodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

END_OF_TEXT = "<|endoftext|>"  # between packed documents; also BOS
PAD = "<|pad|>"
TURN_START = "<|im_start|>"
TURN_END = "<|im_end|>"  # ends every chat turn, so an assistant reply ends generation
SPECIAL_TOKENS = [END_OF_TEXT, PAD, TURN_START, TURN_END]

# ChatML: the turn markers are single special tokens, so a prompt/response boundary is exact.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


class TokenizerSettings(BaseModel):
    vocab_size: int = Field(default=8192, ge=512, le=262_144,
                            description="Vocabulary size including the 256 byte symbols and special tokens.")
    min_frequency: int = Field(default=2, ge=1, description="A merge needs a pair seen this often.")
    max_documents: int = Field(default=200_000, ge=1,
                               description="Documents the merges are learned from (a sample beyond this).")


def train_tokenizer(texts: Iterable[str], settings: TokenizerSettings, out_dir: Path):
    """Learn BPE merges from `texts` and save a fast tokenizer (with chat template) in `out_dir`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=settings.vocab_size, min_frequency=settings.min_frequency, show_progress=False,
        special_tokens=SPECIAL_TOKENS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token=END_OF_TEXT, eos_token=END_OF_TEXT, pad_token=PAD,
        extra_special_tokens={"turn_start": TURN_START, "turn_end": TURN_END},
        clean_up_tokenization_spaces=False)
    tokenizer.chat_template = CHAT_TEMPLATE
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(out_dir))
    return tokenizer


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)
