import dagster as dg

from orchestration.definitions import build_definitions


def test_definitions_load_with_every_asset_job_and_sensor(home):
    defs = build_definitions(home)
    repository = defs.get_repository_def()
    asset_keys = {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()}
    assert {"raw_crawl", "raw_crawl_rejected", "tokenizer", "pretraining_corpus", "pretrained_model",
            "sft_model", "feedback_events", "reward_data", "reward_model", "aligned_model", "evaluation_documents",
            "evaluation_prompts", "evaluation_preferences", "regression_set", "safety_prompts", "model_evaluation",
            "production_model", "safety_classifier", "curation_ablation"} <= asset_keys
    repository.load_all_definitions()  # what the code server does: every job's graph, names unique
    assert {"curation", "retraining", "feedback_loop", "evaluation", "safety_classifier_training", "ablation"} <= set(
        repository.job_names)
    # The ablation is an analysis a person launches: no automation, no sensor or schedule targets it.
    assert repository.asset_graph.get(dg.AssetKey("curation_ablation")).automation_condition is None
    targeted = {s.job_name for s in repository.schedule_defs} | {
        job.name for s in repository.sensor_defs if s.has_jobs for job in s.jobs}
    assert "ablation" not in targeted and all(
        dg.AssetKey("curation_ablation") not in repository.get_job(name).asset_layer.selected_asset_keys
        for name in targeted)
    assert {"crawl_batch_sensor", "feedback_sensor", "candidate_sensor"} <= {s.name for s in repository.sensor_defs}
    evaluation = repository.asset_graph.get(dg.AssetKey("model_evaluation"))
    assert evaluation.group_name == "evaluation" and evaluation.partitions_def.name == "model_candidate"
    schedule = repository.get_schedule_def("weekly_retraining")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED and schedule.job_name == "retraining"
    assert set(defs.resources) >= {"storage", "spark", "pipes_subprocess_client"}
    dg.Definitions.validate_loadable(defs)


def test_module_level_defs_are_what_dagster_dev_loads(home):
    from orchestration import definitions

    assert isinstance(definitions.defs, dg.Definitions)
