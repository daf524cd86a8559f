"""Great-expectations checks on the feedback datasets, both blocking ERRORs: the reward model and
DPO never train on incomplete events, unscrubbed personal data, empty or identical answers, or
held-out pairs leaked into train."""

import time

import dagster as dg
import pandas as pd

from flywheel.datasets import FEEDBACK_EVENTS, REWARD_DATA
from flywheel.feedback.ingest import FeedbackLog
from flywheel.feedback.reward_data import SPLITS, read_split
from flywheel.quality.feedback_suites import (
    feedback_events_suite,
    preference_pairs_suite,
    with_event_flags,
    with_pair_flags,
)
from orchestration.gx_checks import check_result
from orchestration.resources import StorageResource


@dg.asset_check(asset=FEEDBACK_EVENTS, name="integrity", blocking=True,
                description="GX suite on every stored feedback event: unique non-null event_id, a time, a known "
                            "kind, a prompt within bounds, complete comparisons and ratings, no personal data "
                            "left. Blocking.")
def feedback_events_integrity(storage: StorageResource) -> dg.AssetCheckResult:
    started = time.perf_counter()
    events = FeedbackLog(storage.lake()).events().to_pandas()
    return check_result(with_event_flags(events), feedback_events_suite(), "feedback_events_integrity", started)


@dg.asset_check(asset=REWARD_DATA, name="integrity", blocking=True,
                description="GX suite on the `reward_data` train split: non-empty prompt/chosen/rejected "
                            "within length bounds, chosen != rejected, no held-out pair in train. Blocking.")
def reward_data_integrity(storage: StorageResource) -> dg.AssetCheckResult:
    started = time.perf_counter()
    store = storage.versioned_datasets()
    current = store.current(REWARD_DATA)
    train, held_out = (pd.DataFrame(read_split(store, current["path"], split)) for split in SPLITS)
    return check_result(with_pair_flags(train, held_out), preference_pairs_suite(), "reward_data_integrity",
                        started, version=current["version"])

