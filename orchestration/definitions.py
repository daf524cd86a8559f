"""Flywheel's Dagster definitions, the code location `flywheel`:
`dagster dev -m orchestration.definitions -l flywheel` (`make ui`).

Every asset and asset check is found by loading the `assets` package, so a new asset is one new
module under `assets/`. Storage lives under FLYWHEEL_HOME (default `./.flywheel`); see
`flywheel/home.py`.
"""

import dagster as dg

import assets
from flywheel.home import FlywheelHome
from jobs import (
    curation_ablation_job,
    curation_job,
    evaluation_job,
    feedback_loop_job,
    quality_classifier_job,
    retraining_job,
    retraining_schedule,
    safety_classifier_job,
)
from orchestration.catalog import LANDING_ASSETS, catalogued
from orchestration.resources import ServingResource, SparkResource, StorageResource
from sensors import (
    canary_rollout,
    candidate_sensor,
    crawl_batch_sensor,
    dead_run_sensor,
    feedback_sensor,
    quality_rescoring,
)

LOCATION_NAME = "flywheel"


def build_definitions(home: FlywheelHome, spark: SparkResource | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=catalogued([*LANDING_ASSETS, *dg.load_assets_from_package_module(assets)]),
        asset_checks=dg.load_asset_checks_from_package_module(assets),
        jobs=[curation_job, quality_classifier_job, safety_classifier_job, retraining_job, feedback_loop_job,
              evaluation_job, curation_ablation_job],
        schedules=[retraining_schedule],
        sensors=[crawl_batch_sensor, feedback_sensor, candidate_sensor, canary_rollout, dead_run_sensor,
                 quality_rescoring],
        # Runs the UI launches from the asset graph (backfills, "Materialize") and automation runs
        # execute every step in the run's process as the named jobs do: the Spark steps of a run
        # share one Spark session instead of starting a JVM per step.
        executor=dg.in_process_executor,
        resources={
            "storage": StorageResource.for_home(home),
            "spark": spark or SparkResource.from_environment(checkpoint_dir=str(home.root / "spark-checkpoints")),
            "serving": ServingResource(),
            "pipes_subprocess_client": dg.PipesSubprocessClient(),
        },
    )


defs = build_definitions(FlywheelHome.from_env())
