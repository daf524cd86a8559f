from orchestration.resources.spark import SparkResource
from orchestration.resources.storage import StorageResource

__all__ = ["SparkResource", "StorageResource"]
