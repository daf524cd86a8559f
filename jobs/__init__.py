from jobs.curation import curation_job
from jobs.quality_classifier import quality_classifier_job

__all__ = ["curation_job", "quality_classifier_job"]
