"""`filtered_docs` computed with Spark through Dagster on the curated sample batch."""

from flywheel.filtering.pipeline import ARROW_CONVERSION, STEP_NAMES
from tests.integration.conftest import SAMPLE_BATCH, materialization_metadata


def test_every_document_is_kept_or_dropped_with_a_reason(curated_sample):
    _, lake, _, _ = curated_sample
    raw = lake.read_partition("raw_crawl", SAMPLE_BATCH, ["doc_id"])["doc_id"].to_pylist()
    kept = lake.read_partition("filtered_docs", SAMPLE_BATCH).to_pylist()
    dropped = lake.read_partition("filtered_docs_rejected", SAMPLE_BATCH).to_pylist()
    kept_ids, dropped_ids = {d["doc_id"] for d in kept}, {d["doc_id"] for d in dropped}
    assert kept_ids | dropped_ids == set(raw) and not kept_ids & dropped_ids
    assert len(kept) + len(dropped) == len(raw)
    assert all(d["reason"] and d["detail"] for d in dropped)
    assert all(d["language"] == "en" and d["language_score"] >= 0.65 for d in kept)
    # Non-English Debian Reference pages are dropped by language id with the score that failed.
    german = [d for d in dropped if d["url"].endswith(".de.html")]
    assert german and all(d["reason"] == "language.min_score" and d["value"] < 0.65 for d in german)
    # Spam e-mails do not pass; Python documentation prose does.
    assert any(d["domain"] == "docs.python.org" for d in kept)


def test_c4_cleanup_rewrites_kept_text(curated_sample):
    _, lake, _, _ = curated_sample
    for row in lake.read_partition("filtered_docs", SAMPLE_BATCH, ["text"]).to_pylist():
        for line in row["text"].splitlines():
            # Words are counted before citation markers like `[12]` are cut, as in C4.
            assert len(line.split()) >= 2 and "javascript" not in line.lower()


def test_metadata_explains_the_drops(curated_sample):
    _, _, _, result = curated_sample
    kept = materialization_metadata(result, "filtered_docs")
    rejected = materialization_metadata(result, "filtered_docs_rejected")
    assert kept["rows_in"] == kept["rows_kept"] + kept["rows_dropped"]
    rules = {r.data["rule"]: r.data["count"] for r in kept["drops_by_rule"].records}
    assert sum(rules.values()) == kept["rows_dropped"] == rejected["dagster/row_count"]
    assert {"language.min_score", "gopher_quality.min_alpha_words_ratio"} <= set(rules)
    languages = {r.data["language"]: r.data["count"] for r in kept["languages"].records}
    assert {"en", "de", "fr", "es"} <= set(languages)
    examples = rejected["examples"].records
    assert {e.data["reason"] for e in examples} == set(rules)
    assert len(examples) <= 3 * len(rules)
    # Where the time went: each driver stage, and each filter step inside the workers.
    stages = {r.data["stage"]: r.data["seconds"] for r in kept["seconds_per_stage"].records}
    assert list(stages) == ["filtering", "writing kept", "writing rejected", "report"]
    steps = {r.data["step"]: r.data["seconds"] for r in kept["worker_seconds_per_step"].records}
    assert set(steps) == {*STEP_NAMES, ARROW_CONVERSION} and all(seconds >= 0 for seconds in steps.values())



def test_the_safety_step_runs_with_the_current_safety_classifier(curated_sample):
    """A home with no safety classifier gets the default trained on first use; the partition's
    stored settings name the version that filtered it."""
    import json
    from pathlib import Path

    from flywheel.datasets import SAFETY_CLASSIFIER
    from flywheel.filtering.pipeline import SETTINGS_FILE
    from flywheel.versioned_store import VersionedStore

    _, lake, _, result = curated_sample
    kept = materialization_metadata(result, "filtered_docs")
    current = VersionedStore(str(Path(lake.root).parent / "models")).current(SAFETY_CLASSIFIER)
    assert kept["safety_classifier"] == current["model_url"]
    rules = {r.data["rule"]: r.data["count"] for r in kept["drops_by_rule"].records}
    assert kept["safety_dropped"] == sum(n for rule, n in rules.items() if rule.startswith("safety."))
    stored = json.loads(lake.fs.cat_file(f"{lake.partition_path('filtered_docs', SAMPLE_BATCH)}/{SETTINGS_FILE}"))
    assert stored["safety"]["model_url"] == current["model_url"] and stored["safety"]["thresholds"]["privacy"] is None
