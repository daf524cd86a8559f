"""The published safety classifier: trained, stored as a version in the model store, and pointed
to by `safety_classifier/current.json`, which curation, evaluation and serving all read.

Its training data ships with Flywheel, so a home that has none yet gets the default trained on
first use (seconds; the same version the `safety_classifier` asset would publish): safety never
waits on someone remembering to materialize it first.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from flywheel.datasets import SAFETY_CLASSIFIER
from flywheel.safety.classifier import SafetyClassifier
from flywheel.safety.settings import SafetySettings
from flywheel.safety.training import SafetyReport, train_safety_classifier
from flywheel.versioned_store import VersionedStore

log = logging.getLogger("flywheel.safety")


def publish(store: VersionedStore, settings: SafetySettings) -> tuple[dict, SafetyReport]:
    """Train, publish and make current; returns the current record and the evaluation report."""
    with tempfile.TemporaryDirectory() as workdir:
        _, report = train_safety_classifier(settings, Path(workdir))
        return publish_trained(store, Path(workdir), report), report


def publish_trained(store: VersionedStore, folder: Path, report: SafetyReport) -> dict:
    """Publish a classifier already trained into `folder` and make it current; returns the record."""
    path = store.publish(folder, SAFETY_CLASSIFIER, report.version)
    record = {"model_url": store.url(path), "recall_any": report.recall_any,
              "false_positive_rate": report.false_positive_rate,
              "reference_false_positive_rate": report.reference_false_positive_rate}
    store.set_current(SAFETY_CLASSIFIER, report.version, record)
    return store.current(SAFETY_CLASSIFIER)


def current_record(store: VersionedStore) -> dict:
    """The current classifier's record, training and publishing the default first if there is none."""
    record = store.current(SAFETY_CLASSIFIER)
    if record is None:
        record, report = publish(store, SafetySettings())
        log.warning("no safety_classifier was published yet: trained the default from the bundled labelled set "
                    "(version %s; materialize safety_classifier to see its metrics)", report.version)
    return record


def load_current(store: VersionedStore) -> SafetyClassifier:
    return SafetyClassifier.load(current_record(store)["model_url"])
