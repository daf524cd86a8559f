"""Dedup throughput and memory: Flywheel (Spark) vs datatrove's 4-stage MinHash pipeline, then
Flywheel's scaling from 10k to 100k documents. Same shingles (word 5-grams), same 112 hashes in
14 bands x 8 rows, same cores; Flywheel also removes exact duplicates and verifies candidates.

Input: the sample crawl's real documents (~12 KB each) as they are, then per further copy either
a near-duplicate made by controlled edits (20%) or the source's words reshuffled (80%, a
document with new 5-grams), so a fifth of the corpus has near-duplicates as in a real crawl.

    .venv/bin/python benchmarks/dedup_throughput.py [--documents 50000] [--scaling 10000,30000,100000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.dedup_eval_set import make_variant  # noqa: E402
from benchmarks.dedup_systems import datatrove_clusters, flywheel_clusters, write_docs  # noqa: E402
from benchmarks.peak_memory import PeakMemory  # noqa: E402
from benchmarks.sample_documents import sample_documents  # noqa: E402
from flywheel.dedup.settings import DedupSettings  # noqa: E402


def corpus(sources: list[str], documents: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    texts = list(sources[:documents])
    while len(texts) < documents:
        source = rng.choice(sources)
        if rng.random() < 0.2:
            texts.append(make_variant(source, rng)[0])
        else:
            words = source.split(" ")
            rng.shuffle(words)
            texts.append(" ".join(words))
    return texts


def _write_inputs(workdir: Path, sizes: list[int], files: int) -> None:
    """In a child process, so the generated text does not count towards the measured memory."""
    sources = [t for t in sample_documents(workdir)["text"].to_pylist() if len(t.split()) >= 50]
    texts = corpus(sources, max(sizes))
    for size in sizes:
        write_docs(texts[:size], workdir / f"docs-{size}", files=files)


def measure(run) -> tuple[float, float, int]:
    with PeakMemory() as memory:
        started = time.perf_counter()
        labels = run()
        seconds = time.perf_counter() - started
    clusters = len(set(labels.values()))
    return seconds, memory.peak_mib, clusters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--scaling", default="10000,30000,100000")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scaling = [int(n) for n in args.scaling.split(",") if n]
    settings = DedupSettings()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sizes = sorted({args.documents, *scaling})
        child = multiprocessing.get_context("spawn").Process(
            target=_write_inputs, args=(workdir, sizes, args.workers * 4))
        child.start()
        child.join()

        from flywheel.spark_session import build_spark_session

        started = time.perf_counter()
        spark = build_spark_session(f"local[{args.workers}]", "dedup-benchmark", {"spark.ui.enabled": "false"},
                                    "127.0.0.1")
        print(f"Spark start-up {time.perf_counter() - started:.1f} s (not included below)")
        n = args.documents
        ours = measure(lambda: flywheel_clusters(spark, workdir / f"docs-{n}", workdir / f"flywheel-{n}", settings))
        theirs = measure(lambda: datatrove_clusters(workdir / f"docs-{n}", workdir / "datatrove", args.workers))
        print(f"\n{n} documents, {args.workers} cores")
        for name, (seconds, peak, clusters) in (("flywheel", ours), ("datatrove", theirs)):
            print(f"{name:10s} {n / seconds:8.1f} docs/s  {seconds:7.1f} s  peak {peak:6.0f} MiB  {clusters} clusters")
        print(f"ratio      {theirs[0] / ours[0]:.2f}x datatrove's throughput (target >= 2x)")

        print("\nFlywheel scaling")
        timings = {}
        for size in scaling:
            seconds, peak, clusters = (ours if size == n else measure(lambda: flywheel_clusters(
                spark, workdir / f"docs-{size}", workdir / f"flywheel-{size}", settings)))
            timings[size] = seconds
            print(f"{size:8d} docs  {seconds:7.1f} s  {size / seconds:7.1f} docs/s  peak {peak:6.0f} MiB")
        if len(scaling) > 1:
            low, high = min(scaling), max(scaling)
            print(f"time {high}/{low}: {timings[high] / timings[low]:.1f} for {high / low:.0f}x the documents "
                  f"(target <= {1.2 * high / low:.0f})")
        spark.stop()


if __name__ == "__main__":
    main()
