"""Flywheel's Gopher, C4 and FineWeb decisions agree with datatrove's own filters (the oracle).

Each filter is applied on its own to every document of the sample batch, in both systems; the
cascade is compared too. The README lists the known disagreement classes.
"""

import gzip
import hashlib
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.integration.conftest import SAMPLE_BATCH
from tests.integration.filter_pairs import PAIRS, datatrove_verdict, flywheel_verdict

# Datatrove's filters are slow (~70 s for all four over the sample in one process), so their
# verdicts on the sample are recorded, for the pinned datatrove version only: (kept, digest of the
# text the filter left) by filter and digest of the input. A text the recording lacks, or any text
# under another datatrove version, is run through datatrove here. To record again (a new datatrove
# or a changed sample): FLYWHEEL_RECORD_DATATROVE=1 pytest tests/integration/test_filter_agreement.py
RECORDING = Path(__file__).resolve().parent.parent / "data" / "datatrove_verdicts.json.gz"
RECORD = os.environ.get("FLYWHEEL_RECORD_DATATROVE") == "1"
_RECORDED: dict[tuple[str, str], tuple[bool, str]] = {}
# Verdicts datatrove computed in this run, memoized per (filter, text).
_LIVE: dict[tuple[str, str], tuple[bool, str]] = {}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _load_recording() -> None:
    if RECORD or not RECORDING.exists():
        return
    recording = json.loads(gzip.decompress(RECORDING.read_bytes()))
    if recording["datatrove"] == version("datatrove"):
        _RECORDED.update(((name, digest), (kept, out)) for name, by_digest in recording["verdicts"].items()
                         for digest, (kept, out) in by_digest.items())


def _write_recording() -> None:
    verdicts: dict[str, dict] = {}
    for (name, text), (kept, out) in _LIVE.items():
        verdicts.setdefault(name, {})[_digest(text)] = [kept, _digest(out)]
    payload = json.dumps({"datatrove": version("datatrove"), "verdicts": verdicts}, sort_keys=True)
    RECORDING.write_bytes(gzip.compress(payload.encode("utf-8"), mtime=0))


def datatrove_keeps(name: str, text: str) -> tuple[bool, str]:
    """Datatrove's (kept, text it left): recorded where the recording has this text and the text it
    left is the input or Flywheel's output (so it is known), else computed."""
    recorded = _RECORDED.get((name, _digest(text)))
    if recorded is not None:
        kept, out = recorded
        for candidate in (text, flywheel_keeps(name, text)[1]):
            if _digest(candidate) == out:
                return kept, candidate
    if (name, text) not in _LIVE:  # the cascade's texts after C4 removed lines
        _LIVE[name, text] = datatrove_verdict(name, text)
    return _LIVE[name, text]


@cache
def flywheel_keeps(name: str, text: str) -> tuple[bool, str]:
    return flywheel_verdict(name, text)


def cascade(keeps, text: str) -> tuple[bool, str]:
    """Every filter in order on the text the previous one left (C4 removes lines); the first drop ends it."""
    for name in PAIRS:
        kept, text = keeps(name, text)
        if not kept:
            return False, text
    return True, text


@pytest.fixture(scope="module")
def texts(curated_sample):
    """The sample batch's texts, with datatrove's verdicts on them recorded or computed on every core."""
    _, lake, _, _ = curated_sample
    texts = lake.read_partition("raw_crawl", SAMPLE_BATCH, ["text"])["text"].to_pylist()
    _load_recording()
    jobs = [(name, text) for name in PAIRS for text in texts if (name, _digest(text)) not in _RECORDED]
    if jobs:
        with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn")) as pool:
            _LIVE.update(zip(jobs, pool.map(datatrove_verdict, *zip(*jobs), chunksize=8)))
    yield texts
    if RECORD:
        _write_recording()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAIRS))
def test_each_filter_agrees_with_datatrove(texts, name):
    disagreements = []
    for text in texts:
        ours, theirs = flywheel_keeps(name, text), datatrove_keeps(name, text)
        if ours[0] != theirs[0] or (ours[0] and ours[1] != theirs[1]):
            disagreements.append(text[:80])
    agreement = 1 - len(disagreements) / len(texts)
    assert agreement >= 0.99, (name, agreement, disagreements[:5])


@pytest.mark.slow
def test_cascade_agrees_with_datatrove(texts):
    agree = 0
    for text in texts:
        ours_kept, ours_text = cascade(flywheel_keeps, text)
        theirs_kept, theirs_text = cascade(datatrove_keeps, text)
        agree += ours_kept == theirs_kept and (not ours_kept or ours_text == theirs_text)
    assert agree / len(texts) >= 0.99
