"""The sample batch curated once through Dagster, shared by the integration tests."""

import dagster as dg
import pytest

from flywheel.home import FlywheelHome
from orchestration.definitions import build_definitions
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import SparkResource, StorageResource
from tests.conftest import SAMPLE_BATCH_DIR

SAMPLE_BATCH = "sample-0001"


@pytest.fixture(scope="session")
def test_spark_resource(spark) -> SparkResource:
    """Reuses the test session (getOrCreate) and leaves it running after each run."""
    return SparkResource(master="local[2]", stop_after_run=False,
                         conf={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4"})


@pytest.fixture(scope="session")
def curated_sample(tmp_path_factory, test_spark_resource):
    """(definitions, lake, instance, result) of one curation_job run on the bundled sample."""
    home = FlywheelHome(tmp_path_factory.mktemp("curated") / "flywheel").ensure()
    storage = StorageResource.for_home(home)
    storage.landing().add_crawl_batch(str(SAMPLE_BATCH_DIR), SAMPLE_BATCH)
    defs = build_definitions(home, spark=test_spark_resource)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(crawl_batch_partitions.name, [SAMPLE_BATCH])
        result = defs.resolve_job_def("curation_job").execute_in_process(
            partition_key=SAMPLE_BATCH, instance=instance)
        yield defs, storage.lake(), instance, result


def materialization_metadata(result, asset: str) -> dict:
    [event] = [e for e in result.get_asset_materialization_events()
               if e.asset_key.to_user_string() == asset]
    return {key: value.value for key, value in event.materialization.metadata.items()}
