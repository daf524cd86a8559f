from orchestration.resources.serving import ServingResource
from orchestration.resources.spark import SparkResource
from orchestration.resources.storage import StorageResource

__all__ = ["ServingResource", "SparkResource", "StorageResource"]
