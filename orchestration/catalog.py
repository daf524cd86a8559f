"""The data catalog: who owns each asset, its tags, its column schema and where its code is.

Applied to every asset when the definitions are built (`catalogued`), so the asset modules stay
about what they compute. A new asset needs an entry in `ENTRIES`; `tests/integration/test_catalog.py`
fails until it has one.

Tags: `domain` (the part of the lifecycle), `tier` (landing -> bronze -> silver -> gold for data;
`model` for trained artifacts; `report` for evaluations) and `pii` where personal data can occur
(`unscrubbed`: web or user text as received; `scrubbed`: the feedback scrubber has run).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import NamedTuple

import dagster as dg

from flywheel import datasets as d
from flywheel.columns import DATASET_COLUMNS, dataset_columns
from orchestration.partitions import crawl_batch_partitions

REPO_ROOT = Path(__file__).resolve().parent.parent

LANDING_CRAWL = dg.AssetKey(["landing", "crawl"])
LANDING_FEEDBACK = dg.AssetKey(["landing", "feedback"])

# Where data enters: written by the crawler (or `flywheel ingest`) and by the model server (or any
# client) outside Dagster, so they are external assets. Lineage starts here.
LANDING_ASSETS = [
    dg.AssetSpec(
        LANDING_CRAWL, group_name="landing", kinds={"warc", "jsonl"}, partitions_def=crawl_batch_partitions,
        description="Crawl batches as delivered: `landing/crawl/<batch>/` with WARC, WET and JSONL files "
                    "(gzip or plain). `flywheel ingest PATH --batch NAME` copies a folder in; a batch is "
                    "frozen once curated. `crawl_batch_sensor` starts `curation` for each new batch."),
    dg.AssetSpec(
        LANDING_FEEDBACK, group_name="landing", kinds={"jsonl"},
        description="User feedback as JSON lines in `landing/feedback/`: comparisons and ratings, from "
                    "the model server's published outbox (`serve-*.jsonl`) or any client. `feedback_sensor` "
                    "starts `feedback_loop` when new files arrive."),
]


class Entry(NamedTuple):
    owner: str
    domain: str
    tier: str
    pii: str | None = None


_CURATION = "team:data-curation"
_TRAINING = "team:ml-training"
_ALIGNMENT = "team:ml-alignment"
_EVALUATION = "team:ml-evaluation"

ENTRIES: dict[str, Entry] = {
    LANDING_CRAWL.to_user_string(): Entry("team:data-platform", "curation", "landing", "unscrubbed"),
    LANDING_FEEDBACK.to_user_string(): Entry("team:data-platform", "feedback", "landing", "unscrubbed"),
    d.RAW_CRAWL: Entry(_CURATION, "curation", "bronze", "unscrubbed"),
    d.RAW_CRAWL_REJECTED: Entry(_CURATION, "curation", "bronze", "unscrubbed"),
    d.FILTERED_DOCS: Entry(_CURATION, "curation", "silver", "unscrubbed"),
    d.FILTERED_DOCS_REJECTED: Entry(_CURATION, "curation", "silver", "unscrubbed"),
    d.DEDUPLICATED_DOCS: Entry(_CURATION, "curation", "silver", "unscrubbed"),
    d.DEDUP_CLUSTERS: Entry(_CURATION, "curation", "silver"),
    d.MINHASH_INDEX: Entry(_CURATION, "curation", "silver"),
    d.QUALITY_CLASSIFIER: Entry(_CURATION, "curation", "model"),
    d.QUALITY_SCORED_DOCS: Entry(_CURATION, "curation", "gold", "unscrubbed"),
    d.SAFETY_CLASSIFIER: Entry("team:trust-safety", "safety", "model"),
    d.TOKENIZER: Entry(_TRAINING, "training", "model"),
    d.PRETRAINING_CORPUS: Entry(_TRAINING, "training", "gold"),
    d.PRETRAINED_MODEL: Entry(_TRAINING, "training", "model"),
    d.SFT_MODEL: Entry(_TRAINING, "training", "model"),
    d.FEEDBACK_EVENTS: Entry(_ALIGNMENT, "feedback", "silver", "scrubbed"),
    d.REWARD_DATA: Entry(_ALIGNMENT, "feedback", "gold", "scrubbed"),
    d.REWARD_MODEL: Entry(_ALIGNMENT, "alignment", "model"),
    d.ALIGNED_MODEL: Entry(_ALIGNMENT, "alignment", "model"),
    d.EVALUATION_DOCUMENTS: Entry(_EVALUATION, "evaluation", "gold"),
    d.EVALUATION_PROMPTS: Entry(_EVALUATION, "evaluation", "gold", "scrubbed"),
    d.EVALUATION_PREFERENCES: Entry(_EVALUATION, "evaluation", "gold", "scrubbed"),
    d.REGRESSION_SET: Entry(_EVALUATION, "evaluation", "gold"),
    d.SAFETY_PROMPTS: Entry(_EVALUATION, "evaluation", "gold"),
    d.MODEL_EVALUATION: Entry(_EVALUATION, "evaluation", "report"),
    d.CURATION_ABLATION: Entry(_CURATION, "evaluation", "report"),
    d.PRODUCTION_MODEL: Entry(_EVALUATION, "release", "model"),
}


def column_schema(dataset: str) -> dg.TableSchema:
    """A dataset's columns with their descriptions, as the asset page's column schema."""
    return dg.TableSchema(columns=[dg.TableColumn(name=name, type=column.type, description=column.description)
                                   for name, column in dataset_columns(dataset)])


def _with_entry(spec: dg.AssetSpec) -> dg.AssetSpec:
    key = spec.key.to_user_string()
    entry = ENTRIES.get(key)
    if entry is None:
        return spec  # the catalog test names what is missing
    tags = {"domain": entry.domain, "tier": entry.tier, **({"pii": entry.pii} if entry.pii else {})}
    metadata = {"dagster/column_schema": column_schema(key)} if key in DATASET_COLUMNS else {}
    return spec.merge_attributes(owners=[entry.owner], tags=tags, metadata=metadata)


def catalogued(definitions: list) -> list:
    """Assets and specs with owners, tags and column schemas from the catalog, and references to
    their source: the local file, and the file on the Git host when FLYWHEEL_GIT_URL is set (for
    example `https://github.com/acme/flywheel`, branch FLYWHEEL_GIT_BRANCH, default main)."""
    with warnings.catch_warnings():  # code references are a beta API: no warning in every CLI command's output
        warnings.simplefilter("ignore", dg.BetaWarning)
        described = dg.with_source_code_references(dg.map_asset_specs(_with_entry, definitions))
        git_url = os.environ.get("FLYWHEEL_GIT_URL")
        if git_url:
            described = dg.link_code_references_to_git(
                described, git_url=git_url, git_branch=os.environ.get("FLYWHEEL_GIT_BRANCH", "main"),
                file_path_mapping=dg.AnchorBasedFilePathMapping(local_file_anchor=REPO_ROOT,
                                                                 file_anchor_path_in_repository=""))
        return list(described)
