"""`quality_rescoring`: Dagster's declarative automation for `quality_scored_docs`, whose
`AutomationCondition.eager()` re-scores every curated batch when a new `quality_classifier` version
lands (and scores the batches curated before the first one). The sensors that watch files stay
sensors; this one watches assets."""

import dagster as dg

from flywheel.datasets import QUALITY_SCORED_DOCS

quality_rescoring = dg.AutomationConditionSensorDefinition(
    "quality_rescoring",
    target=dg.AssetSelection.assets(QUALITY_SCORED_DOCS),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Re-scores quality_scored_docs partitions when their deduplicated batch or the quality "
                "classifier has a newer version (the asset's eager automation condition); many partitions "
                "go out as one backfill.",
)
