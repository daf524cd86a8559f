from jobs.curation import curation_job

__all__ = ["curation_job"]
