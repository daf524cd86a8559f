"""Files the Spark workers read travel with `SparkContext.addFile`: a task reads the shipped copy,
not the driver's path, and an edited file is shipped anew."""

import pytest

from flywheel import spark_files
from flywheel.filtering.pipeline import FilterSettings
from flywheel.filtering.spark_job import with_shipped_files

pytestmark = [pytest.mark.cluster, pytest.mark.spark]  # issue #23: files reach the executors


def _read_in_a_task(spark, reference: str) -> tuple[str, str]:
    """(the path a task resolved the reference to, the text it read there)."""
    def read(ref: str) -> tuple[str, str]:
        path = spark_files.local_path(ref)
        with open(path, encoding="utf-8") as file:
            return path, file.read()

    [found] = spark.sparkContext.parallelize([reference], 1).map(read).collect()
    return found


def test_a_task_reads_the_shipped_copy_after_the_drivers_files_are_gone(spark, tmp_path):
    listing = tmp_path / "blocklist.txt"
    listing.write_text("spam.example\n", encoding="utf-8")
    first = spark_files.ship(spark, str(listing))
    listing.write_text("spam.example\nscam.example\n", encoding="utf-8")
    edited = spark_files.ship(spark, str(listing))
    assert first.startswith(spark_files.REFERENCE_PREFIX) and edited != first

    listing.unlink()
    for reference, text in ((first, "spam.example\n"), (edited, "spam.example\nscam.example\n")):
        path, found = _read_in_a_task(spark, reference)
        # The task's copy, fetched from the driver's file server (the driver serves its staged copy).
        assert found == text
        assert path != str(spark_files.STAGING_DIR / reference.removeprefix(spark_files.REFERENCE_PREFIX))


def test_only_the_files_of_enabled_steps_are_shipped_and_a_missing_one_is_named(spark, tmp_path):
    settings = FilterSettings.model_validate({
        "language": {"enabled": False, "model_file": str(tmp_path / "absent.ftz")},
        "url_blocklist": {"blocklist_file": None, "extra_blocked_domains": ["spam.example"]}})
    assert with_shipped_files(spark, settings) == settings
    assert spark_files.ship(spark, "s3://lake/lid.176.ftz") == "s3://lake/lid.176.ftz"  # workers read URLs
    listing = tmp_path / "blocklist.txt"
    listing.write_text("spam.example\n", encoding="utf-8")
    assert spark_files.ship(spark, f"file://{listing}") == spark_files.ship(spark, str(listing))  # the driver's

    shipped = with_shipped_files(spark, FilterSettings())
    assert shipped.language.model_file.startswith(spark_files.REFERENCE_PREFIX + "lid.176-")
    assert shipped.url_blocklist.blocklist_file.startswith(spark_files.REFERENCE_PREFIX + "url_blocklist-")
    with pytest.raises(FileNotFoundError, match="absent.ftz: a file the Spark workers need"):
        with_shipped_files(spark, settings.model_copy(update={"language": FilterSettings().language.model_copy(
            update={"model_file": str(tmp_path / "absent.ftz")})}))
