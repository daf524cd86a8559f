"""Flywheel's Gopher, C4 and FineWeb decisions agree with datatrove's own filters (the oracle).

Each filter is applied on its own to every document of the sample batch, in both systems; the
cascade is compared too. The README lists the known disagreement classes.
"""

import pytest
from datatrove.data import Document
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)

from flywheel.filtering.base import FilterDoc
from flywheel.filtering.c4 import C4, C4Settings
from flywheel.filtering.fineweb import FineWeb, FineWebSettings
from flywheel.filtering.gopher_quality import GopherQuality, GopherQualitySettings
from flywheel.filtering.gopher_repetition import GopherRepetition, GopherRepetitionSettings
from tests.integration.conftest import SAMPLE_BATCH

PAIRS = {
    "gopher_repetition": (GopherRepetition(GopherRepetitionSettings()), GopherRepetitionFilter()),
    "gopher_quality": (GopherQuality(GopherQualitySettings()), GopherQualityFilter()),
    # FineWeb's recipe runs C4 without the terminal-punctuation line rule, as Flywheel's default.
    "c4": (C4(C4Settings()), C4QualityFilter(filter_no_terminal_punct=False)),
    "fineweb": (FineWeb(FineWebSettings()), FineWebQualityFilter()),
}


def datatrove_keeps(oracle, text: str) -> tuple[bool, str]:
    document = Document(text=text, id="x")
    return oracle.filter(document) is True, document.text


def flywheel_keeps(step, text: str) -> tuple[bool, str]:
    document = FilterDoc(url="", domain="", text=text)
    return step.apply(document) is None, document.text


@pytest.fixture(scope="module")
def texts(curated_sample):
    _, lake, _, _ = curated_sample
    return lake.read_partition("raw_crawl", SAMPLE_BATCH, ["text"])["text"].to_pylist()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAIRS))
def test_each_filter_agrees_with_datatrove(texts, name):
    step, oracle = PAIRS[name]
    disagreements = []
    for text in texts:
        ours, theirs = flywheel_keeps(step, text), datatrove_keeps(oracle, text)
        if ours[0] != theirs[0] or (ours[0] and ours[1] != theirs[1]):
            disagreements.append(text[:80])
    agreement = 1 - len(disagreements) / len(texts)
    assert agreement >= 0.99, (name, agreement, disagreements[:5])


@pytest.mark.slow
def test_cascade_agrees_with_datatrove(texts):
    steps = [PAIRS[name][0] for name in PAIRS]
    oracles = [PAIRS[name][1] for name in PAIRS]
    agree = 0
    for text in texts:
        ours = FilterDoc(url="", domain="", text=text)
        ours_kept = all(step.apply(ours) is None for step in steps)
        theirs = Document(text=text, id="x")
        theirs_kept = all(oracle.filter(theirs) is True for oracle in oracles)
        agree += ours_kept == theirs_kept and (not ours_kept or ours.text == theirs.text)
    assert agree / len(texts) >= 0.99
