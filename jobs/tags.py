"""Run tags the instance's run queue acts on (`dagster.yaml`'s `tag_concurrency_limits`)."""

# The model a job trains: one run per value at a time. Two runs training the same model would
# compete for every core and race to register the next candidate.
TRAINS_TAG = "flywheel/trains"
