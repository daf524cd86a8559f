"""Great-expectations check on `reward_data`: a blocking ERROR, so the reward model and DPO never
train on empty texts, pairs whose chosen equals their rejected, or held-out pairs leaked into train."""

import time

import dagster as dg
import pandas as pd

from assets.data.reward_data import REWARD_DATA, SPLITS, read_split
from flywheel.quality.gx_runner import outcome_rows, validate
from flywheel.quality.suites import preference_pairs_suite, with_pair_flags
from orchestration.metadata import table
from orchestration.resources import StorageResource


@dg.asset_check(asset=REWARD_DATA, name="integrity", blocking=True,
                description="GX suite on the `reward_data` train split: non-empty prompt/chosen/rejected "
                            "within length bounds, chosen != rejected, no held-out pair in train. Blocking.")
def reward_data_integrity(storage: StorageResource) -> dg.AssetCheckResult:
    started = time.perf_counter()
    store = storage.versioned_datasets()
    current = store.current(REWARD_DATA)
    train, held_out = (pd.DataFrame(read_split(store, current["path"], split)) for split in SPLITS)
    outcomes = validate(with_pair_flags(train, held_out), preference_pairs_suite(), "reward_data_integrity")
    failed = [o for o in outcomes if not o.success]
    return dg.AssetCheckResult(
        passed=not failed, severity=dg.AssetCheckSeverity.ERROR,
        description="all expectations met" if not failed else
        "failed: " + ", ".join(f"{o.expectation}({o.column or ''})" for o in failed),
        metadata={"version": current["version"], "rows_validated": len(train),
                  "expectations": table(outcome_rows(outcomes)), "failed_expectations": len(failed),
                  "seconds": round(time.perf_counter() - started, 2)})
