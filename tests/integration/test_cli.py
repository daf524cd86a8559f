"""The `flywheel` console script, as cron and CI call it."""

import subprocess
import sys

import dagster as dg
import pytest

from orchestration import cli, lifecycle
from tests.conftest import SAMPLE_BATCH_DIR, with_safety_classifier


def test_invalid_batch_name_is_a_clear_error(home, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["ingest", str(SAMPLE_BATCH_DIR), "--batch", "..escape"])
    assert exit_info.value.code == 2
    assert "contains '..'" in capsys.readouterr().err


def test_curate_of_unknown_batch_says_what_to_do(home):
    with pytest.raises(SystemExit, match="run `flywheel ingest"):
        cli.main(["curate", "--batch", "missing"])


def test_ingest_then_curate_records_the_run_in_the_instance(home, tmp_path, capsys, trained_safety):
    with_safety_classifier(home, trained_safety)
    source = tmp_path / "batch"
    source.mkdir()
    (source / "pages.jsonl").write_text(
        '{"url": "https://example.org/a", "text": "First real document."}\n'
        '{"url": "https://example.org/b", "html": "<html><body><p>Second document.</p></body></html>"}\n'
        'broken line\n')
    cli.main(["ingest", str(source), "--batch", "b1"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["ingest", str(source), "--batch", "b1"])
    assert exit_info.value.code == 2
    assert "already exists" in capsys.readouterr().err

    outcome = lifecycle.curate("b1")
    assert outcome.materialized["raw_crawl"]["dagster/row_count"] == 2
    assert outcome.materialized["raw_crawl_rejected"]["dagster/row_count"] == 1
    printed = capsys.readouterr().out
    assert f"Launched run {outcome.run_id} of curation for partition 'b1'" in printed
    assert "DEBUG" not in printed and "Warning" not in printed
    assert "quality_scored_docs was not materialized" in printed  # no classifier yet: says what to run

    with dg.DagsterInstance.get() as instance:  # the persistent instance under FLYWHEEL_HOME
        assert instance.get_dynamic_partitions("crawl_batch") == ["b1"]
        [record] = instance.get_run_records()
        run = record.dagster_run
        # A run of the code location's job, as the UI would launch it: listed under the job, re-executable.
        assert run.job_name == "curation" and run.status == dg.DagsterRunStatus.SUCCESS
        assert run.remote_job_origin.location_name == "flywheel"
        assert run.tags["flywheel/source"] == "cli" and run.tags["dagster/partition"] == "b1"
        assert run.tags["flywheel/reason"] == "flywheel curate"


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "orchestration.cli", "--help"],
                            capture_output=True, text=True, check=True)
    assert "flywheel ingest PATH --batch NAME" in result.stdout


def test_models_promote_rollback_and_show_through_the_cli(home, tmp_path, capsys):
    store = lifecycle.storage().models()
    for model, version in (("sft_model", "s1"), ("aligned_model", "d2")):
        source = tmp_path / model
        source.mkdir()
        (source / "model.safetensors").write_text(version)
        store.publish(source, model, version)
    with pytest.raises(SystemExit, match="never evaluated"):
        cli.main(["models", "promote", "chat_model", "s1", "--reason", "first"])
    cli.main(["models", "promote", "chat_model", "s1", "--reason", "bootstrap", "--force"])
    cli.main(["models", "promote", "chat_model", "aligned_model:d2", "--reason", "aligned", "--force"])
    cli.main(["models", "rollback", "chat_model", "--reason", "worse answers"])
    assert "rolled back to sft_model:s1 (was aligned_model:d2)" in capsys.readouterr().out
    cli.main(["models", "show", "chat_model"])
    shown = capsys.readouterr().out
    assert "history (3 entries" in shown and shown.count("FORCED") == 2 and "worse answers" in shown
    cli.main(["models", "list"])
    assert "production  sft_model:s1 (not evaluated)" in capsys.readouterr().out
