"""Flywheel's Gopher, C4 and FineWeb decisions agree with datatrove's own filters (the oracle).

Each filter is applied on its own to every document of the sample batch, in both systems; the
cascade is compared too. The README lists the known disagreement classes.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache

import pytest

from tests.integration.conftest import SAMPLE_BATCH
from tests.integration.filter_pairs import PAIRS, datatrove_verdict, flywheel_verdict

# Verdicts are memoized per (filter, text), so the cascade test reuses what the per-filter tests
# computed. Datatrove's filters are the slow side (~45 s for all four over the sample in one
# process): `texts` has them computed up front on every core.
_DATATROVE: dict[tuple[str, str], tuple[bool, str]] = {}


def datatrove_keeps(name: str, text: str) -> tuple[bool, str]:
    if (name, text) not in _DATATROVE:  # the cascade's texts after C4 removed lines
        _DATATROVE[name, text] = datatrove_verdict(name, text)
    return _DATATROVE[name, text]


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
    _, lake, _, _ = curated_sample
    texts = lake.read_partition("raw_crawl", SAMPLE_BATCH, ["text"])["text"].to_pylist()
    jobs = [(name, text) for name in PAIRS for text in texts]
    with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn")) as pool:
        _DATATROVE.update(zip(jobs, pool.map(datatrove_verdict, *zip(*jobs), chunksize=8)))
    return texts


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
