"""The curation ablation's parts without training: the overlap test, held-out sets, budgets,
stage corpora, bits per byte and the table."""

import math

import numpy as np
import pytest
import torch

from flywheel.ablation.bits_per_byte import document_bits
from flywheel.ablation.corpora import pack_stage
from flywheel.ablation.heldout import HeldoutSet, cut, raw_crawl_slice
from flywheel.ablation.overlap import OverlapIndex, ngram_keys
from flywheel.ablation.report import ablation_rows, markdown_table, verdicts
from flywheel.ablation.settings import AblationSettings
from flywheel.evaluation.holdout import is_evaluation_document
from flywheel.training.tokenizer import END_OF_TEXT, load_tokenizer

PROSE = ("The package manager resolves dependencies before it installs anything, and it refuses to "
         "remove a package that another installed package still needs unless you ask it to.")
OTHER = ("A kernel module can be loaded at boot by listing its name in a configuration file, or by hand "
         "with a command that also loads the modules it depends on first.")


def _ids(prefix: str, evaluation: bool, count: int) -> list[str]:
    """`count` ids that are (or are not) in the evaluation holdout."""
    found, number = [], 0
    while len(found) < count:
        doc_id = f"{prefix}-{number}"
        if is_evaluation_document(doc_id) == evaluation:
            found.append(doc_id)
        number += 1
    return found


def test_a_copied_document_is_leaked_and_unrelated_text_is_not():
    index = OverlapIndex([("prose-1", PROSE), ("prose-2", OTHER)], n=5)
    index.observe(ngram_keys("Intro text. " + PROSE.upper() + " More text after it.", 5))  # case does not hide it
    index.observe(ngram_keys("Completely unrelated words about cooking pasta in salted water for dinner.", 5))
    assert index.leaked(0.5) == {"prose-1": 1.0}
    assert index.largest_share(ngram_keys(PROSE, 5)) == 1.0
    assert index.largest_share(ngram_keys(OTHER[:60], 5)) < 0.5


def test_short_texts_are_one_ngram():
    assert len(ngram_keys("two words", 13)) == 1 and ngram_keys("", 13) == set()


def test_raw_slice_takes_distinct_evaluation_documents_only():
    inside, outside = _ids("doc", True, 3), _ids("doc", False, 3)
    docs = [(inside[0], "same  text"), (inside[1], "same text"), (inside[2], "other text"),
            *((doc_id, "training text") for doc_id in outside)]
    chosen = raw_crawl_slice(docs, count=10, max_chars=100)
    assert {doc_id for doc_id, _ in chosen.documents} <= set(inside) and len(chosen.documents) == 2


def test_cut_ends_at_a_word_boundary():
    assert cut("alpha beta gamma", 100) == "alpha beta gamma"
    assert cut("alpha beta gamma delta", 13) == "alpha beta"


def test_the_budget_is_whole_steps_and_the_same_for_every_stage():
    settings = AblationSettings(token_budget=10_000, micro_batch_size=4, sequence_length=64)
    assert settings.steps == 40 and settings.budget_sequences == 160
    assert settings.training_settings(3).max_steps == settings.steps and settings.training_settings(3).seed == 3
    with pytest.raises(ValueError, match="must start with raw_crawl"):
        AblationSettings(stages=["filtered_docs"])


@pytest.fixture(scope="module")
def tokenizer(model_dir):
    return load_tokenizer(str(model_dir))


def test_stage_corpus_leaves_out_holdout_ids_and_near_copies_and_reports_repetition(tmp_path, model_dir, tokenizer):
    train_ids, holdout_ids = _ids("crawl", False, 30), _ids("crawl", True, 2)
    slice_text = OTHER + " " + PROSE
    docs = [(doc_id, " ".join(f"page {i} line {j} of the crawl" for j in range(12)))
            for i, doc_id in enumerate(train_ids)]
    docs += [(holdout_ids[0], slice_text), ("recrawl-of-the-slice", slice_text + " Edited.")]
    raw_slice = OverlapIndex([(holdout_ids[0], slice_text)], n=5)
    prose = HeldoutSet("reference_prose", [("prose-1", "Clean held-out prose about mail servers. " * 20)])
    audit = OverlapIndex(prose.documents, n=5)
    settings = AblationSettings(token_budget=4096, sequence_length=32, micro_batch_size=4, leak_ngram=5)
    eos = tokenizer.convert_tokens_to_ids(END_OF_TEXT)
    corpus = pack_stage("raw_crawl", docs, prose, raw_slice, [audit, raw_slice], settings,
                        f"{model_dir}/tokenizer.json", eos, tmp_path / "raw", "t1")
    assert (corpus.documents, corpus.holdout_documents, corpus.near_copies) == (30, 1, 1)
    assert corpus.too_small is None and corpus.repetition == pytest.approx(
        settings.budget_sequences * 32 / corpus.train_tokens, rel=1e-3)
    assert audit.leaked(0.5) == {} and raw_slice.leaked(0.5) == {}
    small = pack_stage("quality_scored_docs", docs[:2], prose, raw_slice, [], settings.model_copy(
        update={"token_budget": 40_000}), f"{model_dir}/tokenizer.json", eos, tmp_path / "small", "t1")
    assert small.too_small and "max_repetition" in small.too_small and small.repetition > 4


def test_bits_per_byte_scores_every_token_once_whatever_the_batching(model_dir, tokenizer):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(model_dir)).eval()
    eos = tokenizer.convert_tokens_to_ids(END_OF_TEXT)
    ids = [tokenizer(text, add_special_tokens=False)["input_ids"] for text in (PROSE, OTHER * 8, "x")]
    bits = document_bits(model, ids, context=128, eos_id=eos, batch_size=16)
    assert bits == pytest.approx(document_bits(model, ids, context=128, eos_id=eos, batch_size=1), rel=1e-5)
    assert len(ids[0]) < 128 < len(ids[1])
    for document, tokens in enumerate(ids[:2]):  # windows of 128 predictions, each from the token before
        stream, nats = [eos, *tokens], 0.0
        for start in range(0, len(stream) - 1, 128):
            window = torch.tensor([stream[start:start + 129]])
            with torch.no_grad():
                nats += model(input_ids=window, labels=window).loss.item() * (window.shape[1] - 1)
        assert bits[document] == pytest.approx(nats / math.log(2), rel=1e-4)


def _result(stage: str, seed: int, bits: list[float]) -> dict:
    return {"stage": stage, "seed": seed, "summary": {"tokens_seen": 1000},
            "heldout": {"reference_prose": {"bits": bits, "bytes": [100] * len(bits)}}}


def test_table_compares_each_stage_with_raw_crawl_and_says_when_it_is_noise():
    rng = np.random.default_rng(0)
    raw = [rng.uniform(250, 350, 40).tolist() for _ in range(2)]
    better = [(np.array(r) - 40).tolist() for r in raw]  # 0.4 bits/byte lower on every document
    noisy = [(np.array(r) + rng.normal(0, 20, 40)).tolist() for r in raw]
    results = [*(_result("raw_crawl", s, raw[s]) for s in range(2)),
               *(_result("quality_scored_docs", s, better[s]) for s in range(2)),
               *(_result("filtered_docs", s, noisy[s]) for s in range(2))]
    rows = {row["stage"]: row for row in ablation_rows(results, iterations=500)}
    assert rows["raw_crawl"]["difference"] is None and rows["raw_crawl"]["seeds"] == 2
    assert rows["quality_scored_docs"]["difference"] == pytest.approx(-0.4)
    assert rows["quality_scored_docs"]["high"] < 0 and not rows["quality_scored_docs"]["within_noise"]
    assert rows["filtered_docs"]["within_noise"]
    lines = verdicts(list(rows.values()))
    assert any("quality_scored_docs" in line and "better than raw_crawl" in line for line in lines)
    assert any("filtered_docs" in line and "within noise" in line for line in lines)
    corpora = {stage: {"train_tokens": 10, "repetition": 1.0, "too_small": None} for stage in rows}
    corpora["deduplicated_docs"] = {"train_tokens": 5, "repetition": 9.0, "too_small": "too few tokens"}
    table = markdown_table(list(rows.values()), corpora)
    assert "deduplicated_docs | all | not trained: too few tokens" in table and "(noise)" in table


def _words(seed: int, count: int) -> str:
    """`count` distinct made-up words: text no other document shares by chance."""
    return " ".join(f"w{seed}x{i}" for i in range(count))


def test_prepare_drops_covered_slice_documents_and_flags_crawled_prose(tmp_path, model_dir, tokenizer):
    import gzip
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from flywheel.ablation.prepare import prepare
    from flywheel.lake import Lake

    slice_ids, train_ids = _ids("crawl", True, 3), _ids("crawl", False, 40)
    slice_texts = [_words(seed, 200) for seed in range(3)]
    covered = slice_texts[0].split()
    # Three crawl documents each hold under half of the first slice document: none is a near-copy of
    # it, together they cover it.
    training = [_words(100 + i, 150) for i in range(37)] + [" ".join(covered[a:b]) for a, b in
                                                            ((0, 90), (80, 170), (160, 200))]
    prose_path = tmp_path / "prose.jsonl.gz"
    prose = [{"id": f"prose-{i}", "text": _words(500 + i, 120)} for i in range(30)]
    with gzip.open(prose_path, "wt") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in prose)
    lake = Lake(f"file://{tmp_path / 'lake'}")

    def write(stage: str, rows: list[tuple[str, str]], partition: str = "b1") -> None:
        with lake.stage(stage, partition) as staged:
            pq.write_table(pa.table({"doc_id": [r[0] for r in rows], "text": [r[1] for r in rows]}),
                           f"{staged.path}/part-0.parquet")
        lake.publish(staged)

    write("raw_crawl", list(zip(slice_ids, slice_texts)) + list(zip(train_ids, training)))
    settings = AblationSettings(stages=["raw_crawl"], reference_prose_path=str(prose_path), sequence_length=32,
                                token_budget=2048, micro_batch_size=4)
    eos = tokenizer.convert_tokens_to_ids(END_OF_TEXT)
    prepared = prepare(lake, settings, str(model_dir), "t1", eos, tmp_path / "work")
    assert prepared.disjoint and set(prepared.dropped_from_slice) == {slice_ids[0]}
    assert {doc_id for doc_id, _ in prepared.heldout[1].documents} == set(slice_ids[1:])
    assert prepared.corpora["raw_crawl"].near_copies == 0
    [held_out_prose] = [row for row in prose if row["id"] == prepared.heldout[0].documents[0][0]]
    write("raw_crawl", [("mirror-of-prose", "A mirror. " + held_out_prose["text"])], partition="b2")
    leaked = prepare(lake, settings, str(model_dir), "t1", eos, tmp_path / "work2")
    assert not leaked.disjoint and set(leaked.leaked) == {held_out_prose["id"]}
