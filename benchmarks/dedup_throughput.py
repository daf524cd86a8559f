"""Dedup throughput and memory: Flywheel (Spark) beside the script a user would write first
(datasketch `MinHash` + `MinHashLSH` + union-find in one process, with and without the same
exact-Jaccard verification) and datatrove's 4-stage MinHash pipeline, then Flywheel's scaling.
Same shingles (word 5-grams), same 112 hashes in 14 bands x 8 rows, same input files; Flywheel
and datatrove use `--workers` cores, datasketch one. Flywheel's time is also split per step.

Input: the sample crawl's real documents (~12 KB each) as they are, then per further document
either a near-duplicate of an earlier document made by controlled edits (20%) or a sample
document's words reshuffled (80%, a document with new 5-grams), so a fifth of the corpus has
near-duplicates as in a real crawl. The near-duplicate's original is any earlier document, not
only a sample one, so duplicate families stay as small at a million documents as at ten thousand
(with ~1,000 sources to copy from, they would grow with the corpus and the work with their square).
The corpus is written in files of at most 25,000 documents, generated as it is written.

    .venv/bin/python benchmarks/dedup_throughput.py [--documents 50000] [--scaling 10000,30000,100000]
        [--skip-datatrove] [--cluster]
    .venv/bin/python benchmarks/dedup_throughput.py --scaling 10000,1000000 --flywheel-only   # the 1M mode

`--cluster` also runs Flywheel at `--documents` on a Spark standalone cluster on this machine
(`--workers` workers of one core, `infra/spark/cluster.py`) and prints its time against
`local[N]`: the cost of separate executor JVMs on the same cores, before any machine is added.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.dedup_eval_set import make_variant  # noqa: E402
from benchmarks.dedup_systems import (  # noqa: E402
    datasketch_clusters,
    datatrove_clusters,
    flywheel_dedup,
    write_doc_stream,
)
from benchmarks.peak_memory import PeakMemory  # noqa: E402
from benchmarks.sample_documents import sample_documents  # noqa: E402
from flywheel.dedup.settings import DedupSettings  # noqa: E402

_DOCUMENTS_PER_FILE = 25_000
_RESERVOIR = 20_000


def corpus(sources: list[str], seed: int = 0) -> Iterator[str]:
    """The benchmark's documents, without end (see the module docstring). A near-duplicate copies
    a document from a uniform sample of all earlier ones (reservoir sampling, so a million
    documents need not stay in memory)."""
    rng = random.Random(seed)
    earlier = list(sources)
    yield from sources
    for produced in itertools.count(len(sources) + 1):
        if rng.random() < 0.2:
            text = make_variant(rng.choice(earlier), rng)[0]
        else:
            words = rng.choice(sources).split(" ")
            rng.shuffle(words)
            text = " ".join(words)
        if len(earlier) < _RESERVOIR:
            earlier.append(text)
        elif (slot := rng.randrange(produced)) < _RESERVOIR:
            earlier[slot] = text
        yield text


def _write_inputs(workdir: Path, sizes: list[int], min_files: int) -> None:
    """In a child process, so the generated text does not count towards the measured memory."""
    missing = [size for size in sizes if not (workdir / f"docs-{size}").exists()]
    if not missing:
        return
    with tempfile.TemporaryDirectory(dir=workdir) as sample:
        sources = [t for t in sample_documents(Path(sample))["text"].to_pylist() if len(t.split()) >= 50]
    for size in missing:
        files = max(min_files, -(-size // _DOCUMENTS_PER_FILE))
        write_doc_stream(corpus(sources), size, workdir / f"docs-{size}", files)


def measure(run) -> tuple[float, float, int, object]:
    """(seconds, peak MiB, clusters, the report if the system gives one) of one run."""
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
    labels, report = result if isinstance(result, tuple) else (result, None)
    return seconds, memory.peak_mib, len(set(labels.values())), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--scaling", default="10000,30000,100000", help="document counts for Flywheel alone")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-datatrove", action="store_true", help="datatrove takes ~4x Flywheel's time")
    parser.add_argument("--cluster", action="store_true", help="also on a standalone cluster of --workers x 1 core")
    parser.add_argument("--flywheel-only", action="store_true", help="only Flywheel's scaling (the 1M mode)")
    parser.add_argument("--corpus-dir", type=Path, help="keep the generated corpora here and reuse them")
    args = parser.parse_args()
    scaling = [int(n) for n in args.scaling.split(",") if n]
    settings = DedupSettings()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        corpora = args.corpus_dir or workdir
        corpora.mkdir(parents=True, exist_ok=True)
        sizes = sorted({*scaling} if args.flywheel_only else {args.documents, *scaling})
        child = multiprocessing.get_context("spawn").Process(
            target=_write_inputs, args=(corpora, sizes, args.workers * 4))
        child.start()
        child.join()

        spark = _started_spark(f"local[{args.workers}]", args.workers)
        if args.flywheel_only:
            _scaling(spark, corpora, workdir, scaling, settings, {})
            spark.stop()
            return
        n = args.documents
        docs = corpora / f"docs-{n}"
        systems = {
            "flywheel": lambda: flywheel_dedup(spark, docs, workdir / f"flywheel-{n}", settings),
            "datasketch": lambda: datasketch_clusters(docs, workdir / "datasketch", settings, verify=False),
            "datasketch+verify": lambda: datasketch_clusters(docs, workdir / "datasketch-v", settings, verify=True),
        }
        if not args.skip_datatrove:
            systems["datatrove"] = lambda: datatrove_clusters(docs, workdir / "datatrove", args.workers)
        results = {name: measure(run) for name, run in systems.items()}
        print(f"\n{n} documents, {args.workers} cores (datasketch: one process)")
        for name, (seconds, peak, clusters, _) in results.items():
            print(f"{name:18s} {n / seconds:8.1f} docs/s  {seconds:7.1f} s  peak {peak:6.0f} MiB  {clusters} clusters")
        ours = results["flywheel"][0]
        for name, (seconds, *_) in results.items():
            if name != "flywheel":
                print(f"flywheel vs {name:18s} {seconds / ours:5.2f}x its throughput")
        print("target: >= 2x datasketch's")
        _print_stages(results["flywheel"][3])

        _scaling(spark, corpora, workdir, scaling, settings, {n: results["flywheel"]})
        spark.stop()
        if args.cluster:
            _on_cluster(corpora, workdir, n, args.workers, settings, results["flywheel"])


def _started_spark(master: str, cores: int):
    """A Spark session whose Python workers have started: PySpark forks them on a session's first
    Python task (2-3 s on 2 cores), a cost of start-up like the JVM's, paid once per process."""
    from flywheel.spark_session import build_spark_session

    started = time.perf_counter()
    spark = build_spark_session(master, "dedup-benchmark", {"spark.ui.enabled": "false"}, "127.0.0.1")
    session = time.perf_counter() - started
    spark.range(cores, numPartitions=cores).mapInArrow(lambda batches: batches, "id long").count()
    workers = time.perf_counter() - started - session
    print(f"Spark start-up {session + workers:.1f} s: JVM and session {session:.1f} s, Python workers "
          f"{workers:.1f} s (a trivial task per core); not included below")
    return spark


def _scaling(spark, corpora: Path, workdir: Path, sizes: list[int], settings: DedupSettings,
             measured: dict[int, tuple]) -> None:
    """Flywheel alone at each size (reusing a run of that size already `measured`)."""
    if sizes:
        print("\nFlywheel scaling")
    timings = {}
    for size in sizes:
        seconds, peak, clusters, report = measured.get(size) or measure(lambda: flywheel_dedup(
            spark, corpora / f"docs-{size}", workdir / f"flywheel-{size}", settings))
        timings[size] = seconds
        print(f"{size:8d} docs  {seconds:7.1f} s  {size / seconds:7.1f} docs/s  peak {peak:6.0f} MiB  "
              f"{clusters} clusters")
        if size not in measured:
            _print_stages(report)
    if len(sizes) > 1:
        low, high = min(sizes), max(sizes)
        print(f"time {high}/{low}: {timings[high] / timings[low]:.1f} for {high / low:.0f}x the documents "
              f"(target <= {1.2 * high / low:.0f})")


def _on_cluster(corpora: Path, workdir: Path, n: int, workers: int, settings: DedupSettings, local: tuple) -> None:
    from infra.spark.cluster import running_cluster

    with running_cluster(workdir / "cluster", workers=workers) as cluster:
        spark = _started_spark(cluster["master_url"], workers)
        seconds, _, clusters, report = measure(lambda: flywheel_dedup(
            spark, corpora / f"docs-{n}", workdir / f"flywheel-cluster-{n}", settings))
        spark.stop()
    assert clusters == local[2], f"the cluster found {clusters} clusters, local {local[2]}"
    print(f"\ncluster ({workers} workers x 1 core) {n / seconds:8.1f} docs/s  {seconds:7.1f} s  {clusters} clusters: "
          f"{seconds / local[0]:.2f}x local[{workers}]'s time (executors' memory is outside this process tree)")
    _print_stages(report)


def _print_stages(report) -> None:
    total = sum(report.stage_seconds.values())
    print("  flywheel per stage: " + ", ".join(
        f"{name} {seconds:.1f} s ({seconds / total:.0%})" for name, seconds in report.stage_seconds.items()))


if __name__ == "__main__":
    main()
