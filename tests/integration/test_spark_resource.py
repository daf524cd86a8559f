import dagster as dg

from orchestration.resources import SparkResource


def test_session_already_running_is_left_alone(spark):
    @dg.asset
    def counted(spark: SparkResource) -> None:
        assert spark.get_session().range(5).count() == 5

    result = dg.materialize([counted], resources={"spark": SparkResource(stop_after_run=True)})
    assert result.success
    assert spark.range(3).count() == 3  # the shared session still works
