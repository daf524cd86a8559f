"""Flywheel's Gopher, C4 and FineWeb decisions agree with datatrove's own filters (the oracle).

Each filter is applied on its own to every document of the sample batch, in both systems; the
cascade is compared too. The README lists the known disagreement classes.
"""

from functools import cache

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


# Verdicts are memoized per (filter, text), so the cascade test reuses what the per-filter tests
# computed (datatrove's filters are the slow side: ~25 s per filter over the sample).
@cache
def datatrove_keeps(name: str, text: str) -> tuple[bool, str]:
    document = Document(text=text, id="x")
    return PAIRS[name][1].filter(document) is True, document.text


@cache
def flywheel_keeps(name: str, text: str) -> tuple[bool, str]:
    document = FilterDoc(url="", domain="", text=text)
    return PAIRS[name][0].apply(document) is None, document.text


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
    return lake.read_partition("raw_crawl", SAMPLE_BATCH, ["text"])["text"].to_pylist()


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
