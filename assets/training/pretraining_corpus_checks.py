"""Great-expectations check on `pretraining_corpus`: blocking, so pretraining never starts on
sequences of the wrong length, token ids outside the vocabulary or validation text leaked into train."""

import time

import dagster as dg
from pydantic import Field

from flywheel.datasets import PRETRAINING_CORPUS
from flywheel.quality.corpus_suite import pretraining_corpus_suite, sequence_profile
from orchestration.gx_checks import check_result
from orchestration.inputs import current_or_fail
from orchestration.resources import StorageResource


class CorpusCheckConfig(dg.Config):
    max_sequences: int = Field(default=200_000, description="Larger corpora are profiled on a seeded random "
                                                            "sample of this many sequences.")


@dg.asset_check(asset=PRETRAINING_CORPUS, name="integrity", blocking=True,
                description="GX suite on one row per packed sequence: both splits present, every sequence "
                            "exactly sequence_length tokens, token ids inside the vocabulary, no validation "
                            "sequence also in train. Blocking.")
def pretraining_corpus_integrity(config: CorpusCheckConfig, storage: StorageResource) -> dg.AssetCheckResult:
    started = time.perf_counter()
    corpus = current_or_fail(storage, PRETRAINING_CORPUS, versioned_dataset=True)
    manifest = corpus["manifest"]
    frame, sampled = sequence_profile(corpus["path"], config.max_sequences)
    return check_result(frame, pretraining_corpus_suite(manifest["sequence_length"], manifest["vocab_size"]),
                        "pretraining_corpus_integrity", started, version=corpus["version"], sampled=sampled)
