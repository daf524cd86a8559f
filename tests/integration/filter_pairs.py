"""Flywheel's Gopher, C4 and FineWeb filters beside datatrove's (the oracle), and one verdict of
either on a text: what `test_filter_agreement` compares. A module of its own, light to import,
because datatrove's verdicts are computed in worker processes that import it."""

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

PAIRS = {
    "gopher_repetition": (GopherRepetition(GopherRepetitionSettings()), GopherRepetitionFilter()),
    "gopher_quality": (GopherQuality(GopherQualitySettings()), GopherQualityFilter()),
    # FineWeb's recipe runs C4 without the terminal-punctuation line rule, as Flywheel's default.
    "c4": (C4(C4Settings()), C4QualityFilter(filter_no_terminal_punct=False)),
    "fineweb": (FineWeb(FineWebSettings()), FineWebQualityFilter()),
}


def datatrove_verdict(name: str, text: str) -> tuple[bool, str]:
    """(kept, the text as the filter left it)."""
    document = Document(text=text, id="x")
    return PAIRS[name][1].filter(document) is True, document.text


def flywheel_verdict(name: str, text: str) -> tuple[bool, str]:
    document = FilterDoc(url="", domain="", text=text)
    return PAIRS[name][0].apply(document) is None, document.text
