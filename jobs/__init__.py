from jobs.curation import curation_job
from jobs.curation_ablation import curation_ablation_job
from jobs.evaluation import evaluation_job
from jobs.feedback_loop import feedback_loop_job
from jobs.quality_classifier import quality_classifier_job
from jobs.retraining import retraining_job, retraining_schedule
from jobs.safety_classifier import safety_classifier_job

__all__ = [
    "curation_ablation_job", "curation_job", "evaluation_job", "feedback_loop_job", "quality_classifier_job",
    "retraining_job", "retraining_schedule", "safety_classifier_job",
]
