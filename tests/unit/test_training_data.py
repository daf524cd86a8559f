"""Tokenizer, packing, batching order, chat examples and instruction files, without a model."""

import gzip
import json

import numpy as np
import pytest

from flywheel.training.datasets import IGNORE_INDEX, ChatExamples, EpochOrder, PackedSequences
from flywheel.training.instructions import load_instructions
from flywheel.training.packing import PackingSettings, pack_documents
from flywheel.training.tokenizer import (
    END_OF_TEXT,
    PAD,
    TURN_END,
    TURN_START,
    TokenizerSettings,
    load_tokenizer,
    train_tokenizer,
)
from tests.integration.training_fixtures import REFERENCE


@pytest.fixture(scope="module")
def documents():
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        return [(row["id"], row["text"]) for row in map(json.loads, handle)][:80]


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory, documents):
    out = tmp_path_factory.mktemp("tokenizer")
    train_tokenizer((text for _, text in documents), TokenizerSettings(vocab_size=2048), out)
    return out


def test_tokenizer_loads_with_auto_tokenizer_and_round_trips_any_text(tokenizer_dir):
    tokenizer = load_tokenizer(str(tokenizer_dir))
    assert len(tokenizer) == 2048
    for text in ("The kernel's scheduler — ünïcode ✓ 😀", "  leading spaces\tand tabs\n"):
        assert tokenizer.decode(tokenizer(text)["input_ids"]) == text
    for token in (END_OF_TEXT, PAD, TURN_START, TURN_END):
        assert len(tokenizer(token, add_special_tokens=False)["input_ids"]) == 1
    assert tokenizer.eos_token == END_OF_TEXT and tokenizer.pad_token == PAD


def test_chat_template_renders_chatml_with_a_generation_prompt(tokenizer_dir):
    tokenizer = load_tokenizer(str(tokenizer_dir))
    text = tokenizer.apply_chat_template([{"role": "user", "content": "Hi?"}], add_generation_prompt=True,
                                         tokenize=False)
    assert text == f"{TURN_START}user\nHi?{TURN_END}\n{TURN_START}assistant\n"


def _pack(documents, tokenizer_dir, out, sequence_length=64):
    tokenizer = load_tokenizer(str(tokenizer_dir))
    return pack_documents(documents, str(tokenizer_dir / "tokenizer.json"), tokenizer.eos_token_id,
                          PackingSettings(sequence_length, 0.2, shard_sequences=50), out, {"tokenizer_version": "t"})


def test_packing_keeps_every_token_in_order_with_eos_between_documents(tmp_path, documents, tokenizer_dir):
    tokenizer = load_tokenizer(str(tokenizer_dir))
    manifest = _pack(documents, tokenizer_dir, tmp_path)
    train = PackedSequences(str(tmp_path), "train")
    assert len(train) == manifest["splits"]["train"]["sequences"] and len(train.shards) > 1
    stream = np.concatenate([train.batch([i])["input_ids"][0].numpy() for i in range(len(train))])
    expected = []
    for doc_id, text in documents:
        if not _in_validation(doc_id):
            expected += tokenizer(text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    assert stream.tolist() == expected[: len(stream)]
    assert len(expected) - len(stream) == manifest["splits"]["train"]["dropped_tail_tokens"] < 64


def _in_validation(doc_id):
    from flywheel.stable_hash import in_validation

    return in_validation(doc_id, 0.2)


def test_validation_documents_stay_in_validation_as_the_corpus_grows(tmp_path, documents, tokenizer_dir):
    small = _pack(documents[:40], tokenizer_dir, tmp_path / "small")
    grown = _pack(documents, tokenizer_dir, tmp_path / "grown")
    assert small["version"] != grown["version"]
    small_validation = PackedSequences(str(tmp_path / "small"), "validation")
    grown_validation = PackedSequences(str(tmp_path / "grown"), "validation")
    first = small_validation.batch(range(len(small_validation)))["input_ids"]
    # The grown corpus's validation stream starts with the same documents (same order, same split).
    assert grown_validation.batch(range(len(small_validation)))["input_ids"][:-1].equal(first[:-1])


def test_packing_the_same_documents_twice_gives_the_same_version(tmp_path, documents, tokenizer_dir):
    first, second = (_pack(documents, tokenizer_dir, tmp_path / name)["version"] for name in ("a", "b"))
    assert first == second


def test_too_little_text_is_a_clear_error(tmp_path, tokenizer_dir):
    with pytest.raises(ValueError, match="too little text"):
        _pack([("a", "short"), ("b", "text")], tokenizer_dir, tmp_path)


def test_epoch_order_is_a_disjoint_permutation_per_epoch_and_resumable():
    order = EpochOrder(size=40, micro_batch_size=4, accumulation=2, world_size=2, seed=3)
    # Each step takes 4 examples x 2 micro-steps x 2 ranks = 16: an epoch of 40 is 2.5 steps.
    visited = [i for step in range(5) for micro in range(2) for rank in range(2)
               for i in order.indices(step, micro, rank)]
    assert sorted(visited[:40]) == list(range(40)) and sorted(visited[40:]) == list(range(40))
    assert visited[:40] != visited[40:]  # a fresh permutation each epoch
    resumed = EpochOrder(size=40, micro_batch_size=4, accumulation=2, world_size=2, seed=3)
    assert resumed.indices(7, 1, 1) == order.indices(7, 1, 1)
    assert order.epoch_of(5) == 2.0


def test_chat_examples_train_only_on_the_response(tokenizer_dir):
    tokenizer = load_tokenizer(str(tokenizer_dir))
    examples = ChatExamples([{"prompt": "What is a module?", "response": "A file of Python code."},
                             {"prompt": "Hi", "response": "Hello there, friend."}], tokenizer, max_length=64)
    batch = examples.batch([0, 1])
    row = batch["labels"][0]
    target = row[row != IGNORE_INDEX].tolist()
    assert tokenizer.decode(target) == f"A file of Python code.{TURN_END}\n"
    assert batch["attention_mask"][1].sum() < batch["attention_mask"].shape[1]  # the shorter row is padded
    assert (batch["labels"][1][batch["attention_mask"][1] == 0] == IGNORE_INDEX).all()


def test_instruction_files_reject_bad_lines_with_reasons_and_split_by_prompt(tmp_path):
    good = [{"prompt": f"question {i}", "response": f"answer {i}"} for i in range(200)]
    lines = [json.dumps(g) for g in good] + [
        "{not json", json.dumps(["a list"]), json.dumps({"prompt": "p"}), json.dumps({"prompt": " ", "response": "r"}),
        json.dumps({"prompt": "p", "response": 5}), json.dumps(good[0])]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = load_instructions([str(path)], validation_fraction=0.2)
    assert [r["line"] for r in result.rejects] == [201, 202, 203, 204, 205]
    assert {r["reason"] for r in result.rejects} >= {"`response` missing or not a string", "`prompt` is empty"}
    assert result.duplicates == 1 and len(result.train) + len(result.validation) == 200
    assert 20 <= len(result.validation) <= 60
    more = tmp_path / "b.jsonl"
    more.write_text("\n".join(json.dumps({"prompt": f"new {i}", "response": "x"}) for i in range(100)))
    grown = load_instructions([str(path), str(more)], validation_fraction=0.2)
    assert all(example in grown.validation for example in result.validation)
