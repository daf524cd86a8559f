"""Each stage's training corpus for an ablation, packed with the one tokenizer, and the audit of
what it contains.

A stage trains on all its documents except those in the evaluation holdout (by `doc_id`, the split
every training asset shares) and near-copies of a raw-slice document under another id (a page
crawled again), which would otherwise put the slice's text into training. The reference prose is
packed as the validation split, so the training loop's own validation loss is measured on it too.
Every kept document's n-grams are checked against each held-out set (`OverlapIndex.observe`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flywheel.ablation.heldout import HeldoutSet
from flywheel.ablation.overlap import OverlapIndex, ngram_keys
from flywheel.ablation.settings import AblationSettings
from flywheel.evaluation.holdout import is_evaluation_document
from flywheel.training.packing import PackingSettings, pack_documents


@dataclass
class StageCorpus:
    stage: str
    documents: int = 0  # distinct documents trained on
    holdout_documents: int = 0  # in the evaluation holdout: never trained on
    near_copies: int = 0  # near-copies of a raw-slice document: left out
    train_tokens: int = 0  # distinct tokens available (in full sequences)
    repetition: float | None = None  # how often the budget repeats them
    too_small: str | None = None  # why the stage is not trained, if it is not
    corpus_dir: str | None = None
    corpus_version: str | None = None


def pack_stage(stage: str, documents: Iterable[tuple[str, str]], prose: HeldoutSet, raw_slice: OverlapIndex,
               audits: list[OverlapIndex], settings: AblationSettings, tokenizer_file: str, eos_id: int,
               out_dir: Path, tokenizer_version: str) -> StageCorpus:
    corpus = StageCorpus(stage)
    prose_ids = {doc_id for doc_id, _ in prose.documents}

    def training_documents() -> Iterator[tuple[str, str]]:
        for doc_id, text in documents:
            if is_evaluation_document(doc_id):
                corpus.holdout_documents += 1
                continue
            grams = ngram_keys(text, settings.leak_ngram)
            if raw_slice.largest_share(grams) >= settings.leak_overlap:
                corpus.near_copies += 1
                continue
            for index in audits:
                index.observe(grams)
            yield doc_id, text
        yield from prose.documents

    packing = PackingSettings(settings.sequence_length, validation_fraction=0.0, shard_sequences=8192)
    try:
        manifest = pack_documents(training_documents(), tokenizer_file, eos_id, packing, out_dir,
                                  {"tokenizer_version": tokenizer_version, "stage": stage},
                                  split_of=lambda doc_id: "validation" if doc_id in prose_ids else "train")
    except ValueError as error:
        corpus.too_small = str(error)
        return corpus
    train = manifest["splits"]["train"]
    corpus.documents, corpus.train_tokens, sequences = train["documents"], train["tokens"], train["sequences"]
    corpus.repetition = round(settings.budget_sequences / sequences, 3)
    corpus.corpus_dir, corpus.corpus_version = str(out_dir), manifest["version"]
    if corpus.repetition > settings.max_repetition:
        corpus.too_small = (f"{corpus.train_tokens} distinct training tokens: the budget of "
                            f"{settings.budget_sequences * settings.sequence_length} would repeat them "
                            f"{corpus.repetition:.1f}x (max_repetition {settings.max_repetition:g})")
    return corpus
