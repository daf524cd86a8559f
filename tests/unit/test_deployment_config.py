"""The deployment's instance config: the local instance's settings with PostgreSQL storage, and the
run queue's one-run-per-trained-model limit on the jobs that train."""

import yaml

from infra.dagster.deploy import instance_config
from jobs.curation_ablation import curation_ablation_job
from jobs.feedback_loop import feedback_loop_job
from jobs.retraining import retraining_job
from jobs.tags import TRAINS_TAG


def test_the_deployment_is_the_local_instance_with_postgres_storage(tmp_path):
    config = yaml.safe_load(instance_config(tmp_path))
    database = config["storage"]["postgres"]["postgres_db"]
    assert database["hostname"] == {"env": "FLYWHEEL_POSTGRES_HOST"} and database["scheme"] == "postgresql+psycopg2"
    assert "sqlite" not in config["storage"]
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator" and config["run_retries"]["enabled"]
    assert config["compute_logs"]["config"]["base_dir"] == f"{tmp_path}/compute_logs"
    [limit] = config["concurrency"]["runs"]["tag_concurrency_limits"]
    assert limit == {"key": TRAINS_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}


def test_jobs_that_train_a_model_say_which():
    assert retraining_job.tags[TRAINS_TAG] == feedback_loop_job.tags[TRAINS_TAG] == "chat_model"
    assert curation_ablation_job.tags[TRAINS_TAG] == "curation_ablation"
