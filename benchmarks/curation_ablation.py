"""The curation ablation at a useful size: a crawl batch several times the demo sample (built by
`infra/sample_data/build_ablation_corpus.py`, not committed) curated end to end through Dagster, a
quality classifier and a tokenizer trained on it, then `curation_ablation` with its defaults (two
seeds, ~200k training tokens per run) unless told otherwise. Prints the table, the verdicts and the
time of each step, and writes them as JSON.

    .venv/bin/python infra/sample_data/build_ablation_corpus.py --spam-corpus /tmp/package/data \\
        --out /tmp/ablation-crawl/ablation-0001
    .venv/bin/python benchmarks/curation_ablation.py --batch-dir /tmp/ablation-crawl/ablation-0001 \\
        [--home /tmp/ablation-home] [--token-budget N] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-dir", type=Path, required=True, help="a crawl batch folder (WARC/WET/JSONL)")
    parser.add_argument("--home", type=Path, help="FLYWHEEL_HOME to use (default: a fresh temporary one)")
    parser.add_argument("--token-budget", type=int)
    parser.add_argument("--seeds", type=int, nargs="+")
    parser.add_argument("--out", type=Path, default=Path("curation_ablation.json"))
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="flywheel-ablation-"))
    os.environ["FLYWHEEL_HOME"] = str(home)
    from flywheel.datasets import QUALITY_SCORED_DOCS, TOKENIZER
    from orchestration import lifecycle
    from orchestration.runs import run_job

    seconds = {}
    batch = args.batch_dir.name

    def timed(name, step):
        started = time.perf_counter()
        result = step()
        seconds[name] = round(time.perf_counter() - started, 1)
        return result

    if not (lifecycle.home().landing / "crawl" / batch).is_dir():
        lifecycle.ingest(args.batch_dir, batch)
    storage = lifecycle.storage()
    # A home that already holds the curated batch and a tokenizer (an earlier run of this script)
    # goes straight to the ablation.
    if not storage.lake().has_partition(QUALITY_SCORED_DOCS, batch):
        timed("curation", lambda: lifecycle.curate(batch))
        timed("quality_classifier", lifecycle.train_classifier)
        timed("quality_scoring", lambda: lifecycle.curate(batch, only=[QUALITY_SCORED_DOCS]))
    if storage.models().current(TOKENIZER) is None:
        with lifecycle.instance() as instance:
            timed("tokenizer", lambda: run_job(instance, "retraining", "benchmark", assets=[TOKENIZER]))
    config = {key: value for key, value in (("token_budget", args.token_budget), ("seeds", args.seeds))
              if value is not None}
    ablation = timed("ablation", lambda: lifecycle.ablate(config, reason="benchmark"))
    print(ablation["table"])
    print(ablation["verdicts"])
    print("seconds: " + ", ".join(f"{name} {value}" for name, value in seconds.items()))
    rows = [record.data for record in ablation["results"].records]
    args.out.write_text(json.dumps({"home": str(home), "batch": batch, "seconds": seconds, "rows": rows,
                                    "repetition": ablation["repetition"], "not_trained": ablation["not_trained"],
                                    "token_budget": ablation["token_budget"], "seeds": ablation["seeds"]}, indent=2))


if __name__ == "__main__":
    main()
