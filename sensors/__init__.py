from sensors.canary_rollout import canary_rollout
from sensors.candidate_sensor import candidate_sensor
from sensors.crawl_batch_sensor import crawl_batch_sensor
from sensors.dead_run_sensor import dead_run_sensor
from sensors.feedback_sensor import feedback_sensor
from sensors.quality_rescoring import quality_rescoring

__all__ = ["canary_rollout", "candidate_sensor", "crawl_batch_sensor", "dead_run_sensor", "feedback_sensor",
           "quality_rescoring"]
