"""The running model server, as the orchestrator sees it: where its stats are, and the rules the
canary controller judges a canary by."""

import json
import urllib.request

import dagster as dg
from pydantic import Field

from flywheel.serving.canary_analysis import CanaryPolicy
from orchestration.settings import config_class, settings_of

CanaryConfig = config_class(CanaryPolicy)


class ServingResource(dg.ConfigurableResource):
    """The model server (`flywheel serve`) whose canary `canary_rollout` analyses."""

    url: str = Field(default="http://127.0.0.1:8000", description="Base URL of the model server.")
    timeout_s: float = Field(default=5.0, gt=0)
    canary: CanaryConfig = Field(default=CanaryConfig(),
                                               description="When a canary steps up, is promoted or is aborted.")

    def policy(self) -> CanaryPolicy:
        return settings_of(self.canary, CanaryPolicy)

    def stats(self) -> dict:
        """`GET /v1/stats`: served versions and their counters."""
        with urllib.request.urlopen(f"{self.url.rstrip('/')}/v1/stats", timeout=self.timeout_s) as response:
            return json.loads(response.read())
