"""`pretraining_corpus`: the curated documents tokenized and packed for pretraining."""

import json
import tempfile
import time
from pathlib import Path

import dagster as dg
from pydantic import Field

from flywheel.datasets import PRETRAINING_CORPUS, TOKENIZER
from flywheel.evaluation.holdout import DOCUMENT_FRACTION
from flywheel.quality.corpus_suite import pretraining_corpus_suite, sequence_profile
from flywheel.training.packing import PackingSettings, pack_documents
from flywheel.training.tokenizer import END_OF_TEXT, load_tokenizer
from orchestration.audit import INTEGRITY, set_current_if_passed
from orchestration.gx_checks import check_result
from orchestration.inputs import current_or_fail
from orchestration.metadata import path_value
from orchestration.resources import StorageResource
from orchestration.training.corpus import SOURCE, curated_documents, curated_partitions


class PretrainingCorpusConfig(dg.Config):
    sequence_length: int = Field(default=256, ge=16, le=131_072, description="Tokens per packed sequence.")
    validation_fraction: float = Field(default=0.05, ge=DOCUMENT_FRACTION, lt=0.5,
                                       description="Share of documents held out (stable hash of doc_id); at "
                                                   "least the evaluation share, which it contains.")
    shard_sequences: int = Field(default=8192, ge=1, description="Sequences per .npy shard.")
    max_audited_sequences: int = Field(
        default=200_000, description="The integrity check profiles larger corpora on a seeded random sample of "
                                     "this many sequences.")


@dg.asset(key=PRETRAINING_CORPUS, group_name="training", kinds={"numpy"}, deps=[SOURCE, TOKENIZER],
          code_version="1",
          check_specs=[dg.AssetCheckSpec(
              INTEGRITY, asset=PRETRAINING_CORPUS, blocking=True,
              description="GX suite on one row per packed sequence of the written version, before it becomes "
                          "current: both splits present, every sequence exactly sequence_length tokens, token "
                          "ids inside the vocabulary, no validation sequence also in train. Blocking.")])
def pretraining_corpus(context: dg.AssetExecutionContext, config: PretrainingCorpusConfig,
                       storage: StorageResource):
    """Every kept document of every `quality_scored_docs` partition, tokenized with the current
    `tokenizer` (Rust-parallel batches) and packed into fixed-length sequences with
    `<|endoftext|>` between documents, as NumPy shards under
    `lake/pretraining_corpus/<version>/{train,validation}/` with a `manifest.json`. Documents are
    split by a stable hash of `doc_id`, so validation documents stay in validation as batches
    are added. The version hashes the documents, the tokenizer and these settings; it becomes the
    current one only if its integrity check passes."""
    current_tokenizer = current_or_fail(storage, TOKENIZER)
    tokenizer = load_tokenizer(current_tokenizer["path"])
    lake = storage.lake()
    partitions = curated_partitions(lake)
    settings = PackingSettings(config.sequence_length, config.validation_fraction, config.shard_sequences)
    with tempfile.TemporaryDirectory() as workdir:
        try:
            manifest = pack_documents(
                curated_documents(lake, partitions), f"{current_tokenizer['path']}/tokenizer.json",
                tokenizer.convert_tokens_to_ids(END_OF_TEXT), settings, Path(workdir),
                {"tokenizer_version": current_tokenizer["version"], "source_partitions": partitions})
        except ValueError as error:
            raise dg.Failure(str(error)) from None
        store = storage.versioned_datasets()
        path = store.publish(Path(workdir), PRETRAINING_CORPUS, manifest["version"])
    started = time.perf_counter()
    frame, sampled = sequence_profile(path, config.max_audited_sequences)
    check = check_result(frame, pretraining_corpus_suite(manifest["sequence_length"], manifest["vocab_size"]),
                         "pretraining_corpus_integrity", started, check_name=INTEGRITY, version=manifest["version"],
                         sampled=sampled, staged_path=dg.MetadataValue.path(store.url(path)))
    yield from set_current_if_passed(store, check, PRETRAINING_CORPUS, manifest["version"],
                                     {"path": path, "manifest": manifest})
    train, validation = manifest["splits"]["train"], manifest["splits"]["validation"]
    context.log.info(f"Packed {train['sequences']} train and {validation['sequences']} validation sequences "
                     f"of {config.sequence_length} tokens (corpus {manifest['version']})")
    yield dg.MaterializeResult(data_version=dg.DataVersion(manifest["version"]), metadata={
        "version": manifest["version"], "tokenizer_version": current_tokenizer["version"],
        "sequence_length": config.sequence_length,
        "train_sequences": train["sequences"], "train_tokens": train["tokens"],
        "train_documents": train["documents"], "validation_sequences": validation["sequences"],
        "validation_tokens": validation["tokens"], "validation_documents": validation["documents"],
        "shards": len(train["shards"]) + len(validation["shards"]),
        "dropped_tail_tokens": train["dropped_tail_tokens"] + validation["dropped_tail_tokens"],
        "duplicate_documents_skipped": manifest["duplicate_documents_skipped"],
        "source_partitions": json.dumps(partitions),
        "path": path_value(store.url(path)),
    })
