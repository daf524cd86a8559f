"""`production_model`: the model users get, moved only by a passed promotion gate."""

from typing import Literal

import dagster as dg
from pydantic import Field

from flywheel.datasets import MODEL_EVALUATION, PRODUCTION_MODEL
from flywheel.registry import ModelRef, ModelRegistry, family_of
from orchestration.metadata import path_value
from orchestration.partitions import model_candidate_partitions
from orchestration.resources import StorageResource


class ProductionModelConfig(dg.Config):
    release: Literal["direct", "canary"] = Field(
        default="direct", description="`direct`: the candidate becomes production. `canary`: it serves "
                                      "`canary_percent` of users first, and the `canary_rollout` sensor steps it up "
                                      "to production or aborts it (a first promotion is always direct).")
    canary_percent: float = Field(default=10.0, gt=0, le=100, description="The canary's first share of users.")


@dg.asset(key=PRODUCTION_MODEL, group_name="evaluation", kinds={"pytorch"},
          partitions_def=model_candidate_partitions, deps=[MODEL_EVALUATION])
def production_model(context: dg.AssetExecutionContext, config: ProductionModelConfig,
                     storage: StorageResource) -> dg.MaterializeResult:
    """Points the registry's `production` alias at this candidate (`MODEL:VERSION`) and appends the
    promotion, with the scorecard it was decided on, to the registry history (or, with
    `release: canary`, makes it the canary that `canary_rollout` rolls out). Runs only after
    `model_evaluation`'s blocking `promotion_gate` passed in the same run; on its own it still
    refuses a candidate whose recorded verdict failed, or whose evaluation compared it with a
    production version that has since changed (evaluate it again)."""
    ref = ModelRef.parse(context.partition_key)
    registry = ModelRegistry(storage.models(), family_of(ref.model) or "")
    scorecard = registry.scorecard(ref)
    production = registry.alias("production")
    if scorecard is None or not scorecard["verdict"]["passed"]:
        raise dg.Failure(f"{ref} has not passed the promotion gate; production stays {production}")
    if production != ref and scorecard["production"] != (str(production) if production else None):
        raise dg.Failure(f"{ref} was evaluated against {scorecard['production']}, but production is now "
                         f"{production}: materialize model_evaluation for it again")
    if production == ref:
        context.log.info(f"{ref} is already production")
    elif config.release == "canary" and production is not None:
        registry.start_canary(ref, config.canary_percent, reason="promotion gate passed; canary rollout",
                              run_id=context.run_id)
        return dg.MaterializeResult(data_version=dg.DataVersion(f"canary-{ref.version}"), metadata={
            "canary": str(ref), "canary_percent": config.canary_percent, "production": str(production),
            "history_entries": len(registry.history())})
    else:
        registry.promote(ref, reason="promotion gate passed", run_id=context.run_id, scorecard=scorecard)
    return dg.MaterializeResult(data_version=dg.DataVersion(ref.version), metadata={
        "production": str(ref), "previous": str(production) if production and production != ref else "none",
        "history_entries": len(registry.history()),
        "path": path_value(registry.store.url(registry.path_of(ref)))})
