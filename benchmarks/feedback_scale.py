"""Feedback ingestion and pairing at scale: events/s and peak memory as the stored log grows.

    .venv/bin/python benchmarks/feedback_scale.py --events 1000000 --files 1000 --files-per-ingestion 10

Writes `--events` feedback events (comparisons and ratings, a few with contact details, 1% re-sent
from an earlier file) into `--files` files and ingests them `--files-per-ingestion` at a time, each
ingestion in a fresh process, as a sensor-triggered run would be. Each ingestion reports its own
peak RSS and events/s; the table shows them at every tenth of the way, so whether memory grows with
the number of events already stored is read off directly (target: it does not). At the same
points, `reward_data`'s pairing of the whole log runs in a fresh process twice: bucketed as the
asset does it (`flywheel/feedback/pair_buckets.py`), and all events in memory at once (the
baseline: `build_pairs` on the whole log), each with its peak RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

INGEST = """
import json, resource, sys, time
from flywheel.feedback.ingest import FeedbackLog
from flywheel.landing import LandingZone
from flywheel.lake import Lake
landing, lake, names = sys.argv[1], sys.argv[2], set(json.loads(sys.argv[3]))
files = [f for f in LandingZone(landing).list_feedback_files() if f.name in names]
started = time.perf_counter()
report = FeedbackLog(Lake(lake)).ingest(files)
print(json.dumps({"events": report.events, "duplicates": report.duplicates, "seconds": time.perf_counter() - started,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PAIR = """
import json, resource, sys, tempfile, time
from pathlib import Path
from flywheel.feedback.ingest import FeedbackLog
from flywheel.feedback.pair_buckets import PAIRING_COLUMNS, bucket_count, write_pairs
from flywheel.feedback.pairs import build_pairs
from flywheel.lake import Lake
log, started = FeedbackLog(Lake(sys.argv[1])), time.perf_counter()
if sys.argv[2] == "bucketed":
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "out").mkdir()
        pairs = sum(write_pairs(log.iter_events(PAIRING_COLUMNS), 0.15, 4, Path(work) / "out", Path(work) / "spill",
                                bucket_count(log.count(), 50_000)).pairs.values())
else:
    result = build_pairs(log.events(PAIRING_COLUMNS).to_pylist(), 0.15, 4)
    pairs = len(result.train) + len(result.held_out)
print(json.dumps({"pairs": pairs, "seconds": time.perf_counter() - started,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_script(script: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", script, *args], cwd=REPO_ROOT, capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def write_files(landing: Path, events: int, files: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    per_file = events // files
    folder = landing / "feedback"
    folder.mkdir(parents=True)
    names, sent = [], []
    for index in range(files):
        lines = []
        for n in range(per_file):
            event_id = f"e{index:05d}-{n:05d}"
            if sent and rng.random() < 0.01:
                lines.append(rng.choice(sent))  # a re-sent event: must be counted once
                continue
            contact = f" (call me at +1 (212) 555-01{rng.randrange(100):02d})" if rng.random() < 0.05 else ""
            if rng.random() < 0.25:
                event = {"event_id": event_id, "ts": 1_793_000_000 + n, "prompt": f"Question {n}?{contact}",
                         "response": f"Answer {index}-{n}.", "rating": rng.choice([1, -1])}
            else:
                event = {"event_id": event_id, "ts": 1_793_000_000 + n, "prompt": f"Question {n}?{contact}",
                         "chosen": f"A helpful answer {index}-{n}.", "rejected": f"An unhelpful one {n}."}
            lines.append(json.dumps(event))
        sent = lines[:50]
        name = f"batch-{index:05d}.jsonl"
        (folder / name).write_text("\n".join(lines) + "\n")
        names.append(name)
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=1_000)
    parser.add_argument("--files-per-ingestion", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        landing, lake = Path(workdir, "landing"), Path(workdir, "lake")
        names = write_files(landing, args.events, args.files, args.seed)
        rounds = [names[i:i + args.files_per_ingestion] for i in range(0, len(names), args.files_per_ingestion)]
        stored, total_seconds, rows = 0, 0.0, []
        started = time.perf_counter()
        for index, batch in enumerate(rounds, start=1):
            report = run_script(INGEST, str(landing), str(lake), json.dumps(batch))
            stored += report["events"]
            total_seconds += report["seconds"]
            if index == 1 or index % max(1, len(rounds) // 10) == 0 or index == len(rounds):
                pair_now = index in (max(1, len(rounds) // 10), len(rounds) // 2, len(rounds))
                pairing = {mode: run_script(PAIR, str(lake), mode) for mode in ("bucketed", "in_memory")} \
                    if pair_now else None
                rows.append((index, stored, report, pairing))
        print(f"{args.events:,} events in {args.files:,} files, {args.files_per_ingestion} files per ingestion, "
              f"{len(rounds)} ingestions in {time.perf_counter() - started:.0f} s wall")
        print(f"{'ingestion':>9} {'stored after':>13} {'new events':>10} {'events/s':>9} {'peak RSS MB':>11}"
              f" | {'pairs':>9} {'pairing s':>9} {'RSS MB':>7} {'in-memory s':>11} {'RSS MB':>7} {'RSS ratio':>9}")
        for index, after, report, pairing in rows:
            line = (f"{index:>9} {after:>13,} {report['events']:>10,} {report['events'] / report['seconds']:>9,.0f} "
                    f"{report['peak_rss_mb']:>11.0f}")
            if pairing:  # at a tenth, half and all of the way
                bucketed, in_memory = pairing["bucketed"], pairing["in_memory"]
                assert bucketed["pairs"] == in_memory["pairs"]
                line += (f" | {bucketed['pairs']:>9,} {bucketed['seconds']:>9.1f} {bucketed['peak_rss_mb']:>7.0f} "
                         f"{in_memory['seconds']:>11.1f} {in_memory['peak_rss_mb']:>7.0f} "
                         f"{in_memory['peak_rss_mb'] / bucketed['peak_rss_mb']:>8.2f}x")
            print(line)
        print(f"overall: {stored:,} events stored, {stored / total_seconds:,.0f} events/s inside the ingestions")


if __name__ == "__main__":
    main()
