"""Throughput of `filtered_docs` (Spark) vs datatrove's LocalPipelineExecutor, same rules, same cores.

Input: the bundled sample crawl's documents, repeated with variation to >= 20k documents (each copy
shuffles paragraph order and gives 3% of its words a copy-specific suffix, so vocabulary keeps
growing as in a real crawl). Both sides run GopherRepetition, GopherQuality, C4 (FineWeb's
settings) and FineWebQuality on 2 workers and write kept documents to Parquet.

    .venv/bin/python benchmarks/filtering_throughput.py [--documents 20000] [--workers 2] [--cluster]

The safety step's overhead is measured between two later runs of the same process, without and
with it: the first run also pays for the JVM's warm-up (loading and compiling the Parquet and
Arrow code, ~3-4 s), which would show as a negative overhead.

`--cluster` also runs Flywheel on a Spark standalone cluster on this machine (`--workers` workers of
one core, `infra/spark/cluster.py`) and prints its time against `local[N]`: the cost of a cluster's
separate executor JVMs on the same cores, before any machine is added.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.peak_memory import PeakMemory  # noqa: E402
from benchmarks.sample_documents import sample_documents  # noqa: E402


def varied_copies(table: pa.Table, documents: int, seed: int = 0) -> pa.Table:
    rng = random.Random(seed)
    rows = table.to_pylist()
    out = []
    for i in range(documents):
        row = dict(rows[i % len(rows)])
        copy = i // len(rows)
        if copy:
            paragraphs = row["text"].split("\n\n")
            rng.shuffle(paragraphs)
            words = "\n\n".join(paragraphs).split(" ")
            for j in rng.sample(range(len(words)), k=len(words) * 3 // 100):
                words[j] = f"{words[j]}{copy}"
            row["text"] = " ".join(words)
            row["doc_id"] = f"{row['doc_id']}-{copy}"
        out.append(row)
    return pa.Table.from_pylist(out)


def write_input(table: pa.Table, folder: Path, files: int) -> None:
    folder.mkdir(parents=True)
    step = -(-table.num_rows // files)
    for k in range(files):
        pq.write_table(table.slice(k * step, step), folder / f"part-{k:03d}.parquet")


def run_flywheel(input_dir: Path, out_dir: Path, master: str, safety_model: str | None = None) -> dict:
    from flywheel.filtering.pipeline import FilterSettings
    from flywheel.filtering.spark_job import run_filtering
    from flywheel.spark_session import build_spark_session

    started = time.perf_counter()
    spark = build_spark_session(master, "filter-benchmark",
                                {"spark.ui.enabled": "false"}, "127.0.0.1")
    jvm_start = time.perf_counter() - started
    # The same rules as the datatrove side: no URL blocklist or language id.
    settings = FilterSettings(url_blocklist={"enabled": False}, language={"enabled": False},
                              safety={"enabled": safety_model is not None, "model_url": safety_model})
    with PeakMemory() as memory:
        started = time.perf_counter()
        report = run_filtering(spark, str(input_dir), str(out_dir / "kept"), str(out_dir / "rejected"), settings)
        seconds = time.perf_counter() - started
    spark.stop()
    return {"seconds": seconds, "jvm_start": jvm_start, "kept": report.kept, "peak_mib": memory.peak_mib,
            "safety_dropped": sum(n for rule, n in report.drops_by_rule.items() if rule.startswith("safety.")),
            "stage_seconds": report.stage_seconds, "worker_seconds": report.worker_seconds}


def run_datatrove(input_dir: Path, out_dir: Path, workers: int) -> dict:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.pipeline.readers import ParquetReader
    from datatrove.pipeline.writers import ParquetWriter

    executor = LocalPipelineExecutor(
        pipeline=[
            ParquetReader(str(input_dir), text_key="text", id_key="doc_id"),
            GopherRepetitionFilter(), GopherQualityFilter(),
            C4QualityFilter(filter_no_terminal_punct=False), FineWebQualityFilter(),
            ParquetWriter(str(out_dir / "kept")),
        ],
        tasks=workers, workers=workers, logging_dir=str(out_dir / "logs"))
    with PeakMemory() as memory:
        started = time.perf_counter()
        executor.run()
        seconds = time.perf_counter() - started
    kept = sum(pq.read_metadata(f).num_rows for f in (out_dir / "kept").rglob("*.parquet"))
    return {"seconds": seconds, "kept": kept, "peak_mib": memory.peak_mib}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cluster", action="store_true", help="also on a standalone cluster of --workers x 1 core")
    args = parser.parse_args()
    local = f"local[{args.workers}]"
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        table = varied_copies(sample_documents(workdir), args.documents)
        write_input(table, workdir / "input", files=args.workers * 4)
        print(f"{table.num_rows} documents, {sum(map(len, table['text'].to_pylist())) / 1e6:.1f} M characters")
        ours = run_flywheel(workdir / "input", workdir / "flywheel", local)
        theirs = run_datatrove(workdir / "input", workdir / "datatrove", args.workers)
        without_safety = run_flywheel(workdir / "input", workdir / "flywheel-again", local)
        safety = run_flywheel(workdir / "input", workdir / "flywheel-safety", local,
                              _safety_classifier(workdir / "safety"))
        if args.cluster:
            from infra.spark.cluster import running_cluster

            with running_cluster(workdir / "cluster", workers=args.workers) as cluster:
                on_cluster = run_flywheel(workdir / "input", workdir / "flywheel-cluster", cluster["master_url"])
    n = table.num_rows
    print(f"flywheel  {n / ours['seconds']:8.1f} docs/s  {ours['seconds']:7.1f} s  kept {ours['kept']}  "
          f"peak {ours['peak_mib']:.0f} MiB (JVM start-up {ours['jvm_start']:.1f} s, not included)")
    print(f"datatrove {n / theirs['seconds']:8.1f} docs/s  {theirs['seconds']:7.1f} s  kept {theirs['kept']}  "
          f"peak {theirs['peak_mib']:.0f} MiB")
    print(f"ratio     {theirs['seconds'] / ours['seconds']:.2f}x datatrove's throughput (target >= 6x)")
    print_split(ours)
    print(f"again     {n / without_safety['seconds']:8.1f} docs/s  {without_safety['seconds']:7.1f} s  kept "
          f"{without_safety['kept']}  (a warm JVM: the baseline of the safety step's overhead)")
    print(f"+safety   {n / safety['seconds']:8.1f} docs/s  {safety['seconds']:7.1f} s  kept {safety['kept']} "
          f"({safety['safety_dropped']} dropped by the safety step)  peak {safety['peak_mib']:.0f} MiB: the safety "
          f"step adds {safety['seconds'] / without_safety['seconds'] - 1:+.1%} to filtering (target <= +15%)")
    print_split(safety)
    if args.cluster:
        assert on_cluster["kept"] == ours["kept"], "the cluster kept other documents"
        print(f"cluster   {n / on_cluster['seconds']:8.1f} docs/s  {on_cluster['seconds']:7.1f} s  kept "
              f"{on_cluster['kept']}  ({args.workers} workers x 1 core: {on_cluster['seconds'] / ours['seconds']:.2f}x "
              f"local[{args.workers}]'s time; executors' memory is outside this process tree)")


def print_split(run: dict) -> None:
    """Flywheel's time per stage (driver wall-clock) and per filter step inside the workers (seconds
    summed over tasks; the first step that splits words pays for tokenizing them)."""
    print("  stages:  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run["stage_seconds"].items()))
    total = sum(run["worker_seconds"].values())
    print("  workers: " + ", ".join(f"{name} {seconds:.1f} s ({seconds / total:.0%})"
                                    for name, seconds in run["worker_seconds"].items()))


def _safety_classifier(folder: Path) -> str:
    """The default safety classifier, trained into `folder` (loadable as a published version)."""
    from flywheel.safety.settings import SafetySettings
    from flywheel.safety.training import train_safety_classifier

    folder.mkdir()
    train_safety_classifier(SafetySettings(), folder)
    return str(folder)


if __name__ == "__main__":
    main()
