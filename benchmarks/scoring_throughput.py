"""Quality scoring throughput: Flywheel's Spark job (model loaded once per worker, Arrow batches)
vs calling fastText's `predict` in a plain Python loop over the same documents, in one run.

Both sides apply the same text normalization and the same model; the Spark side is timed twice:
cold (starting the Spark session included) and warm (a session already running, as inside a
Dagster run that shares one). Input: the sample crawl's real documents, then copies with their
words reshuffled, up to --documents.

    .venv/bin/python benchmarks/scoring_throughput.py [--documents 50000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyarrow.parquet as pq  # noqa: E402

from benchmarks.dedup_systems import write_docs  # noqa: E402
from benchmarks.dedup_throughput import corpus  # noqa: E402
from benchmarks.sample_documents import sample_documents  # noqa: E402
from flywheel.fasttext_model import load_model  # noqa: E402
from flywheel.quality_classifier.examples import Document  # noqa: E402
from flywheel.quality_classifier.model import hq_scores  # noqa: E402
from flywheel.quality_classifier.settings import ClassifierSettings  # noqa: E402
from flywheel.quality_classifier.spark_job import ClassifierRef, run_scoring  # noqa: E402
from flywheel.quality_classifier.training import MODEL_FILE, train_classifier  # noqa: E402
from flywheel.spark_session import build_spark_session  # noqa: E402


def python_loop(docs_dir: Path, model_path: str) -> float:
    started = time.perf_counter()
    model = load_model(model_path)
    texts = pq.read_table(docs_dir, columns=["text"]).column("text").to_pylist()
    for text in texts:
        hq_scores(model, [text])
    return time.perf_counter() - started


def spark_job(docs_dir: Path, classifier: ClassifierRef, out: Path, session=None) -> tuple[float, object, int]:
    started = time.perf_counter()
    spark = session or build_spark_session("local[2]", "scoring-benchmark", {"spark.ui.enabled": "false"},
                                           bind_address="127.0.0.1")
    report = run_scoring(spark, str(docs_dir), classifier, str(out / "kept"), str(out / "rejected"))
    return time.perf_counter() - started, spark, report.rows_in


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sample = sample_documents(work)
        sources = [t for t in sample["text"].to_pylist() if len(t.split()) >= 50]
        texts = list(islice(corpus(sources), args.documents))
        docs_dir = work / "docs"
        write_docs(texts, docs_dir, files=8)
        model_dir = work / "model"
        model_dir.mkdir()
        documents = [Document(i, t) for i, t in zip(sample["doc_id"].to_pylist(), sample["text"].to_pylist())]
        report = train_classifier(documents, ClassifierSettings(external_check_path=None), model_dir)
        classifier = ClassifierRef(str(model_dir / MODEL_FILE), report.version, report.threshold, None)
        chars = sum(len(t) for t in texts)
        print(f"{args.documents:,} documents, {chars / args.documents / 1000:.1f} KB mean, 2 cores")

        loop_s = python_loop(docs_dir, classifier.model_url)
        cold_s, spark, scored = spark_job(docs_dir, classifier, work / "cold")
        warm_s, _, _ = spark_job(docs_dir, classifier, work / "warm", session=spark)
        assert scored == args.documents
        spark.stop()
        rate = lambda s: args.documents / s  # noqa: E731
        print(f"python loop (fastText predict per doc)  {loop_s:7.1f} s  {rate(loop_s):8.1f} docs/s")
        print(f"flywheel spark, session start included  {cold_s:7.1f} s  {rate(cold_s):8.1f} docs/s  "
              f"ratio {loop_s / cold_s:.2f}x")
        print(f"flywheel spark, warm session            {warm_s:7.1f} s  {rate(warm_s):8.1f} docs/s  "
              f"ratio {loop_s / warm_s:.2f}x")


if __name__ == "__main__":
    main()
