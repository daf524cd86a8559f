"""Near-duplicate detection accuracy: Flywheel vs datatrove's MinHash pipeline vs datasketch's
MinHashLSH, on an evaluation set built from the sample crawl's real text (`dedup_eval_set`).

Ground truth: exact word 5-gram Jaccard >= 0.8. Reported at document level (is the document a
duplicate of anything?) and pair level (which documents belong together).

    .venv/bin/python benchmarks/dedup_accuracy.py [--seed 0] [--threshold 0.8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.dedup_eval_set import build_eval_set, cluster_pairs, score, true_similar_pairs  # noqa: E402
from benchmarks.dedup_systems import datasketch_pairs, datatrove_clusters, flywheel_clusters, write_docs  # noqa: E402
from benchmarks.sample_documents import sample_documents  # noqa: E402
from flywheel.dedup.settings import DedupSettings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = DedupSettings(threshold=args.threshold)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        docs = build_eval_set(sample_documents(workdir)["text"].to_pylist(), seed=args.seed)
        texts = [d.text for d in docs]
        truth = true_similar_pairs(texts, args.threshold)
        print(f"{len(docs)} documents ({sum(d.edits == 'original' for d in docs)} real, the rest edited "
              f"copies); {len(truth)} pairs with Jaccard >= {args.threshold}, "
              f"{len({i for p in truth for i in p})} documents in them")
        write_docs(texts, workdir / "docs")
        results = {}

        from flywheel.spark_session import build_spark_session

        spark = build_spark_session(f"local[{args.workers}]", "dedup-accuracy", {"spark.ui.enabled": "false"},
                                    "127.0.0.1")
        unverified = settings.model_copy(update={"verify_candidates": False})
        for name, variant in (("flywheel (14x8, verified)", settings), ("flywheel (14x8, unverified)", unverified)):
            started = time.perf_counter()
            labels = flywheel_clusters(spark, workdir / "docs", workdir / name.replace(" ", "_"), variant)
            results[name] = (score(cluster_pairs(labels), truth), time.perf_counter() - started)
        spark.stop()
        started = time.perf_counter()
        labels = datatrove_clusters(workdir / "docs", workdir / "datatrove", args.workers)
        results["datatrove (14x8)"] = (score(cluster_pairs(labels), truth), time.perf_counter() - started)
        started = time.perf_counter()
        results[f"datasketch MinHashLSH ({args.threshold})"] = (
            score(datasketch_pairs(texts, settings), truth), time.perf_counter() - started)

    print(f"\n{'system':34s} {'doc P':>6s} {'doc R':>6s} {'doc F1':>6s}   {'pair P':>6s} {'pair R':>6s} "
          f"{'pair F1':>7s}  {'time':>6s}")
    for name, (scores, seconds) in results.items():
        d, p = scores["documents"], scores["pairs"]
        print(f"{name:34s} {d['precision']:6.3f} {d['recall']:6.3f} {d['f1']:6.3f}   {p['precision']:6.3f} "
              f"{p['recall']:6.3f} {p['f1']:7.3f}  {seconds:5.1f}s")


if __name__ == "__main__":
    main()
