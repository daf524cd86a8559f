"""kill -9 at many points of a curation run and of a feedback run, rerun, and compare with an
uninterrupted run: the same published rows, never a partial or unreadable published partition, no
lost or duplicated feedback event, and no rerun that waits on a slot or lock of a dead run.

Each victim run is a process of its own (`chaos_runner`), killed with its whole process group (Spark's
JVM, worker processes) once the run has written the k-th event of its event log. The kill points
are stratified by step: for every step of an uninterrupted run that publishes something
(ingestion, filtering, deduplication; the feedback ingestion, pairing) a seeded generator draws k
among the events that step writes, so every publishing step is killed inside, however short it
is. (The drift checks write nothing, and a kill in them costs nearly a whole run.) After each kill
the dead run is released (as the CLI and `dead_run_sensor` do) and what is published is checked;
then one more run goes through. That last run and the uninterrupted run that draws the kill points
and gives the expected data run in the test's own process on its warm Spark session (same job,
same events, no cold start-up to pay again).
FLYWHEEL_CHAOS_KILLS_PER_STEP sets the kills per step (default 1; 20 random kills per job cost 14
minutes of the suite and still left short steps to chance).
"""

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest

from flywheel.bundled import SAMPLE_CRAWL_DIR, SAMPLE_FEEDBACK
from flywheel.datasets import (
    DEDUP_CLUSTERS,
    DEDUPLICATED_DOCS,
    FEEDBACK_EVENTS,
    FEEDBACK_EVENTS_REJECTED,
    FILTERED_DOCS,
    FILTERED_DOCS_REJECTED,
    MINHASH_INDEX,
    RAW_CRAWL,
    RAW_CRAWL_REJECTED,
    REWARD_DATA,
)
from flywheel.feedback.ingest import FeedbackLog
from flywheel.home import FlywheelHome
from orchestration.dead_runs import release_dead_runs
from orchestration.resources import StorageResource
from tests.conftest import REPO_ROOT, with_safety_classifier
from tests.integration import chaos_runner

pytestmark = [pytest.mark.slow, pytest.mark.spark, pytest.mark.chaos]

KILLS_PER_STEP = int(os.environ.get("FLYWHEEL_CHAOS_KILLS_PER_STEP", "1"))
BATCH = "chaos-0001"
BATCH_FILES = ("debian-reference.warc.gz", "spam-pages.warc.gz", "defective-lines.jsonl.gz",
               "truncated-download.warc.gz")
CURATED = (RAW_CRAWL, RAW_CRAWL_REJECTED, FILTERED_DOCS, FILTERED_DOCS_REJECTED, DEDUPLICATED_DOCS, DEDUP_CLUSTERS,
           MINHASH_INDEX)
RUN_TIMEOUT = 300


def _home(root, job: str, trained_safety) -> FlywheelHome:
    home = with_safety_classifier(FlywheelHome(root / "flywheel").ensure(), trained_safety)
    landing = StorageResource.for_home(home).landing()
    if job == "curation":
        source = root / "batch"
        source.mkdir()
        for name in BATCH_FILES:
            shutil.copy(SAMPLE_CRAWL_DIR / "sample-0001" / name, source / name)
        landing.add_crawl_batch(str(source), BATCH)
        with _instance(home) as instance:
            instance.add_dynamic_partitions("crawl_batch", [BATCH])
    else:
        lines = SAMPLE_FEEDBACK.read_text(encoding="utf-8").splitlines()
        for part in range(4):  # several files, so kills land between them too
            landing.add_feedback_file(f"part-{part}.jsonl", lines[part::4])
    return home


def _instance(home: FlywheelHome) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(home.dagster_home))


def _start(home: FlywheelHome, job: str) -> subprocess.Popen:
    env = {**os.environ, "FLYWHEEL_HOME": str(home.root), "DAGSTER_HOME": str(home.dagster_home)}
    return subprocess.Popen([sys.executable, "-m", "tests.integration.chaos_runner", job, BATCH], cwd=REPO_ROOT,
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _events_of_newest_run(instance: dg.DagsterInstance, known: set[str]) -> int:
    runs = [r for r in instance.get_runs(limit=1) if r.run_id not in known]
    return len(instance.get_records_for_run(runs[0].run_id).records) if runs else 0


def _reference_run(home: FlywheelHome, job: str, spark) -> tuple[float, list[tuple[str | None, bool]]]:
    """An uninterrupted run, in this process on the tests' warm Spark session (the same job and
    events as a victim's, without a cold process's start-up): (seconds, for each event of its log in
    order: its step and whether it is a materialization)."""
    started = time.monotonic()
    with _instance(home) as instance:
        result = chaos_runner.run(home, instance, job, BATCH, spark)
        assert result.success, f"the uninterrupted {job} run failed"
        seconds = time.monotonic() - started
        return seconds, [(record.event_log_entry.step_key, record.event_log_entry.dagster_event_type
                          == dg.DagsterEventType.ASSET_MATERIALIZATION)
                         for record in instance.get_records_for_run(result.run_id).records]


def _rerun(home: FlywheelHome, job: str, spark) -> float:
    """The last run after the kills: its seconds. In this process on the warm Spark session, as
    the reference run, so the time limit below measures waiting on a dead run's slot or lock
    rather than a cold process's start-up (the victims already cover starting cold)."""
    started = time.monotonic()
    with _instance(home) as instance:
        assert chaos_runner.run(home, instance, job, BATCH, spark).success, f"the {job} rerun failed"
    return time.monotonic() - started


def _kill_points(events: list[tuple[str | None, bool]], rng: random.Random) -> list[int]:
    """Event counts to kill at: KILLS_PER_STEP drawn among the events (1-based) of each step that
    materializes something, in order."""
    publishing = {step for step, materialized in events if materialized}
    events_by_step: dict[str, list[int]] = {}
    for number, (step, _) in enumerate(events, start=1):
        if step in publishing:
            events_by_step.setdefault(step, []).append(number)
    assert len(events_by_step) >= 2, f"expected several publishing steps, got {sorted(events_by_step)}"
    return sorted(number for numbers in events_by_step.values()
                  for number in rng.sample(numbers, min(KILLS_PER_STEP, len(numbers))))


def _kill_at_event(home: FlywheelHome, job: str, event: int) -> None:
    with _instance(home) as instance:
        known = {r.run_id for r in instance.get_runs()}
        victim = _start(home, job)
        deadline = time.monotonic() + RUN_TIMEOUT
        while victim.poll() is None and _events_of_newest_run(instance, known) < event:
            assert time.monotonic() < deadline, "the victim run made no progress"
            time.sleep(0.05)
        if victim.poll() is None:
            os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        release_dead_runs(instance)
        assert not instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))


def _fingerprint(rows: list[dict]) -> list[str]:
    return sorted(hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest() for row in rows)


def _published_curation(home: FlywheelHome) -> dict[str, list[str]]:
    """Every published partition, read whole (it must be readable), as row fingerprints."""
    lake = StorageResource.for_home(home).lake()
    published = {}
    for dataset in CURATED:
        if lake.has_partition(dataset, BATCH):
            rows = lake.read_partition(dataset, BATCH).to_pylist()
            assert len(rows) == lake.row_count(dataset, BATCH)
            published[dataset] = _fingerprint([{k: v for k, v in row.items() if k != "cluster_id"} for row in rows])
    return published


def _published_feedback(home: FlywheelHome) -> dict:
    storage = StorageResource.for_home(home)
    log = FeedbackLog(storage.lake())
    events = log.events(["event_id", "prompt", "chosen", "rejected", "response", "rating"]).to_pylist()
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids)), "an event was stored twice"
    current = storage.versioned_datasets().current(REWARD_DATA)
    return {FEEDBACK_EVENTS: _fingerprint(events), FEEDBACK_EVENTS_REJECTED: log.rejects().num_rows,
            REWARD_DATA: current["version"] if current else None}


@pytest.mark.parametrize("job", ["curation", "feedback"])
def test_kill_9_at_many_points_then_rerun_publishes_what_an_uninterrupted_run_does(tmp_path, job, trained_safety,
                                                                                  test_spark_resource):
    published = _published_curation if job == "curation" else _published_feedback
    reference = _home(tmp_path / "reference", job, trained_safety)
    seconds, events = _reference_run(reference, job, test_spark_resource)
    expected = published(reference)

    chaos = _home(tmp_path / "chaos", job, trained_safety)
    for event in _kill_points(events, random.Random(20261202)):
        _kill_at_event(chaos, job, event)
        state = published(chaos)  # readable, never partial; a partition is there whole or not at all
        if job == "curation":
            assert all(state[d] == expected[d] for d in state), "a published partition differs from the reference"
        else:
            assert set(state[FEEDBACK_EVENTS]) <= set(expected[FEEDBACK_EVENTS])
    rerun_seconds = _rerun(chaos, job, test_spark_resource)
    assert published(chaos) == expected
    # No wait on a slot or lock of a dead run: about as long as the uninterrupted run.
    assert rerun_seconds < 2 * seconds + 30
