"""Everything an ablation decides before it trains: the held-out sets, each stage's packed corpus,
the audit that no held-out text is in any of them, and the runs to train."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from flywheel.ablation import heldout
from flywheel.ablation.corpora import StageCorpus, pack_stage
from flywheel.ablation.overlap import OverlapIndex
from flywheel.ablation.plan import AblationPlan, PlannedRun
from flywheel.ablation.settings import AblationSettings
from flywheel.datasets import RAW_CRAWL
from flywheel.lake import Lake
from flywheel.training.spec import TrainingSpec

RESULT_FILE = "result.json"


@dataclass
class Prepared:
    heldout: list[heldout.HeldoutSet]
    corpora: dict[str, StageCorpus]
    leaked: dict[str, float]  # reference prose doc_id -> share of its n-grams in training
    dropped_from_slice: dict[str, float]  # raw-slice doc_id -> share of its n-grams in training

    @property
    def disjoint(self) -> bool:
        return not self.leaked


def lake_documents(lake: Lake, dataset: str) -> Iterator[tuple[str, str]]:
    """(doc_id, text) of every partition of `dataset`, streamed in record batches."""
    for partition in lake.partitions(dataset):
        for batch in lake.iter_batches(dataset, partition, ["doc_id", "text"]):
            yield from zip(batch.column("doc_id").to_pylist(), batch.column("text").to_pylist())


def prepare(lake: Lake, settings: AblationSettings, tokenizer_path: str, tokenizer_version: str, eos_id: int,
            work_dir: Path) -> Prepared:
    prose = heldout.reference_prose(settings.reference_prose_path, settings.heldout_documents,
                                    settings.heldout_document_chars)
    raw_slice = heldout.raw_crawl_slice(lake_documents(lake, RAW_CRAWL), settings.heldout_documents,
                                        settings.heldout_document_chars)
    if not raw_slice.documents:
        raise ValueError(f"{RAW_CRAWL} has no documents in the evaluation holdout yet: curate more batches")
    audits = {s.name: OverlapIndex(s.documents, settings.leak_ngram) for s in (prose, raw_slice)}
    corpora = {stage: pack_stage(stage, lake_documents(lake, stage), prose, audits[raw_slice.name],
                                 list(audits.values()), settings, f"{tokenizer_path}/tokenizer.json", eos_id,
                                 work_dir / stage, tokenizer_version)
               for stage in settings.stages}
    # Crawl text repeats itself (templates, mirrors, a page and its source), so a slice document can
    # be covered by several training documents together: it leaves the slice, counted, as
    # `evaluation_sets` drops items it finds in training. Reference prose is never crawled, so
    # prose found in training is a leak, and the asset's blocking check fails on it.
    covered = audits[raw_slice.name].leaked(settings.leak_overlap)
    kept = heldout.HeldoutSet(raw_slice.name, [doc for doc in raw_slice.documents if doc[0] not in covered])
    if not kept.documents:
        raise ValueError(f"every {raw_slice.name} document is also in training text; curate more batches")
    return Prepared([prose, kept], corpora, audits[prose.name].leaked(settings.leak_overlap), covered)


def plan_runs(prepared: Prepared, settings: AblationSettings, tokenizer_path: str, runs_dir: Path) -> AblationPlan:
    """One run per trainable stage and seed, each in `runs_dir/<key>/`: the key hashes everything that
    decides its result, so an unchanged run is found trained and scored by a later ablation."""
    heldout_key = _digest([[s.name, s.documents] for s in prepared.heldout])
    runs = []
    for seed in settings.seeds:
        for stage, corpus in prepared.corpora.items():
            if corpus.too_small:
                continue
            training = settings.training_settings(seed)
            key = _digest([corpus.corpus_version, heldout_key, settings.preset, settings.sequence_length,
                           training.result_determining()])
            run_dir = runs_dir / key
            run_dir.mkdir(parents=True, exist_ok=True)
            spec = TrainingSpec(
                objective="pretrain", version=key, tokenizer_path=tokenizer_path, preset=settings.preset,
                sequence_length=settings.sequence_length, data={"corpus_dir": corpus.corpus_dir},
                checkpoint_dir=str(run_dir / "checkpoints"), export_dir=str(run_dir / "export"),
                metrics_path=str(run_dir / "metrics.jsonl"), settings=training,
                record={"asset": "curation_ablation", "stage": stage, "seed": seed})
            runs.append(PlannedRun(stage=stage, seed=seed, spec_path=str(spec.save(run_dir / "spec.json")),
                                   result_path=str(run_dir / RESULT_FILE)))
    return AblationPlan(runs=runs, tokenizer_path=tokenizer_path,
                        heldout={s.name: s.documents for s in prepared.heldout})


def corpus_summary(prepared: Prepared) -> dict[str, dict]:
    return {stage: {k: v for k, v in asdict(corpus).items() if k != "corpus_dir"}
            for stage, corpus in prepared.corpora.items()}


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]
