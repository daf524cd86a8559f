"""Where Flywheel keeps files: the landing zone, the Parquet lake and the model store."""

import dagster as dg

from flywheel.home import FlywheelHome
from flywheel.lake import Lake
from flywheel.model_store import ModelStore
from flywheel.landing import LandingZone


class StorageResource(dg.ConfigurableResource):
    """Landing zone, lake and model store as fsspec URLs (local folders under FLYWHEEL_HOME by
    default; `s3://...` or `gs://...` once the matching fsspec package is installed)."""

    landing_url: str
    lake_url: str
    models_url: str

    @classmethod
    def for_home(cls, home: FlywheelHome) -> "StorageResource":
        return cls(landing_url=str(home.landing), lake_url=str(home.lake), models_url=str(home.models))

    def landing(self) -> LandingZone:
        return LandingZone(self.landing_url)

    def lake(self) -> Lake:
        return Lake(self.lake_url)

    def models(self) -> ModelStore:
        return ModelStore(self.models_url)
