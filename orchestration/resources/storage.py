"""Where Flywheel keeps files: the landing zone, the Parquet lake and the model store."""

import dagster as dg
from pydantic import Field

from flywheel.home import FlywheelHome
from flywheel.lake import Lake
from flywheel.landing import LandingZone
from flywheel.versioned_store import VersionedStore


class StorageResource(dg.ConfigurableResource):
    """Landing zone, lake and model store as fsspec URLs (local folders under FLYWHEEL_HOME by
    default; `s3://...` or `gs://...` once the matching fsspec package is installed)."""

    landing_url: str
    lake_url: str
    models_url: str
    checkpoints_dir: str = Field(
        description="Local (or shared, for several nodes) folder of in-progress training runs: "
                    "DeepSpeed checkpoints, metrics and specs. A run that finishes removes its folder.")
    keep_versions: int = Field(
        default=2, ge=1, description="Published versions kept per lake partition: the current one and the ones "
                                     "before it, for readers still on them; older ones are garbage-collected.")

    @classmethod
    def for_home(cls, home: FlywheelHome) -> "StorageResource":
        return cls(landing_url=str(home.landing), lake_url=str(home.lake), models_url=str(home.models),
                   checkpoints_dir=str(home.checkpoints))

    def landing(self) -> LandingZone:
        return LandingZone(self.landing_url)

    def lake(self) -> Lake:
        return Lake(self.lake_url, keep_versions=self.keep_versions)

    def models(self) -> VersionedStore:
        return VersionedStore(self.models_url)

    def versioned_datasets(self) -> VersionedStore:
        """Lake datasets kept as whole immutable versions (`lake/<name>/<version>/`)."""
        return VersionedStore(self.lake_url)
