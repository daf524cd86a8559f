"""Each rule at the boundary of its threshold: exactly at the bound passes, one step past drops."""

import pytest

from flywheel.filtering.base import FilterDoc
from flywheel.filtering.c4 import C4, C4Settings
from flywheel.filtering.fineweb import FineWeb, FineWebSettings
from flywheel.filtering.gopher_quality import GopherQuality, GopherQualitySettings
from flywheel.filtering.gopher_repetition import GopherRepetition, GopherRepetitionSettings
from flywheel.filtering.language_id import LanguageId, LanguageSettings
from flywheel.filtering.pipeline import FilterSettings, build_steps, run_steps
from flywheel.filtering.url_blocklist import UrlBlocklist, UrlBlocklistSettings

SENTENCE = "The river carries water to the sea and that is how it has always been with rivers."


def doc(text, url="https://example.org/page", domain="example.org"):
    return FilterDoc(url=url, domain=domain, text=text)


def rule_of(step, text, **kw):
    drop = step.apply(doc(text, **kw))
    return drop.rule if drop else None


def words(n, word="alpha"):
    return " ".join(["the", "of"] + [word] * (n - 2))


# --- Gopher quality --------------------------------------------------------------------------
def gopher_quality(**overrides):
    return GopherQuality(GopherQualitySettings(**overrides))


def test_gopher_min_and_max_words():
    assert rule_of(gopher_quality(), words(50)) is None
    assert rule_of(gopher_quality(), words(49)) == "gopher_quality.min_doc_words"
    assert rule_of(gopher_quality(max_doc_words=60), words(60)) is None
    assert rule_of(gopher_quality(max_doc_words=60), words(61)) == "gopher_quality.max_doc_words"
    assert rule_of(gopher_quality(min_doc_words=None), words(10)) is None


def test_gopher_mean_word_length_bounds():
    # 2 stop words of length 3 and 2, then words of length L: mean = (5 + 98 L) / 100.
    assert rule_of(gopher_quality(), words(100, "abc")) == "gopher_quality.min_avg_word_length"
    assert rule_of(gopher_quality(min_avg_word_length=2.99), words(100, "abc")) is None
    long_word = "a" * 10
    assert rule_of(gopher_quality(), words(100, long_word)) is None  # mean 9.85
    assert rule_of(gopher_quality(), words(100, "a" * 11)) == "gopher_quality.max_avg_word_length"


def test_gopher_hash_and_ellipsis_ratios():
    base = words(100)  # 100 words
    assert rule_of(gopher_quality(), base + " #" * 10) is None  # 10 / 110 words
    drop = gopher_quality().apply(doc(base + " #" * 12))  # 12 / 112 > 0.1
    assert drop.rule == "gopher_quality.max_hash_word_ratio" and drop.value == pytest.approx(12 / 112)
    assert rule_of(gopher_quality(), base + " …" * 12) == "gopher_quality.max_ellipsis_word_ratio"


def test_gopher_bullet_and_ellipsis_lines():
    lines = [f"- {SENTENCE}"] * 9 + [SENTENCE]
    assert rule_of(gopher_quality(), "\n".join(lines)) is None  # 0.9 is allowed
    assert rule_of(gopher_quality(), "\n".join(lines + [f"• {SENTENCE}"] * 2)) == \
        "gopher_quality.max_bullet_lines_ratio"
    ellipsis = [SENTENCE + " and so on..."] * 3 + [SENTENCE] * 7
    assert rule_of(gopher_quality(max_symbol_word_ratio=None), "\n".join(ellipsis)) is None
    assert rule_of(gopher_quality(max_symbol_word_ratio=None), "\n".join(ellipsis + ellipsis[:1])) == \
        "gopher_quality.max_ellipsis_lines_ratio"


def test_gopher_alpha_words_and_stop_words():
    text = words(80) + " 1234" * 20  # 80 of 100 words have a letter: allowed
    assert rule_of(gopher_quality(), text) is None
    assert rule_of(gopher_quality(), text + " 99") == "gopher_quality.min_alpha_words_ratio"
    assert rule_of(gopher_quality(), " ".join(["the"] + ["alpha"] * 60)) == "gopher_quality.min_stop_words"


# --- Gopher repetition -----------------------------------------------------------------------
def repetition(**overrides):
    return GopherRepetition(GopherRepetitionSettings(**overrides))


def test_repeated_paragraphs_and_lines():
    unique = [f"Paragraph number {i} says something new about item {i * 7}." for i in range(7)]
    three_repeats = "\n\n".join(unique + [unique[0]] * 3)  # 3 of 10 repeated
    assert rule_of(repetition(max_dup_para_char_frac=None, max_dup_line_char_frac=None,
                              max_top_ngram_char_frac={}, max_dup_ngram_char_frac={}),
                   three_repeats) is None
    four_repeats = "\n\n".join(unique[:6] + [unique[0]] * 4)
    assert rule_of(repetition(max_dup_para_char_frac=None), four_repeats) == \
        "gopher_repetition.max_dup_para_frac"
    lines = "\n".join(unique[:6] + [unique[0]] * 4)
    assert rule_of(repetition(max_dup_line_char_frac=None), lines) == "gopher_repetition.max_dup_line_frac"


def test_top_and_repeated_ngrams():
    text = " ".join(f"word{i}" for i in range(200))
    assert rule_of(repetition(), text) is None
    spam = text + " buy now" * 80
    assert rule_of(repetition(), spam) == "gopher_repetition.max_top_2gram_char_frac"
    assert rule_of(repetition(max_top_ngram_char_frac={}), spam) == \
        "gopher_repetition.max_dup_5gram_char_frac"


# --- C4 ----------------------------------------------------------------------------------------
def c4(**overrides):
    return C4(C4Settings(**overrides))


def test_c4_rewrites_lines_and_counts_sentences():
    text = "\n".join([
        "First sentence here. Second one here.", "Third sentence is here.", "Fourth one [12] here.",
        "Please enable JavaScript to view this.", "Read our privacy policy today.", "Two words",
        "Fifth and final sentence."])
    document = doc(text)
    assert c4().apply(document) is None
    assert document.text.splitlines() == [
        "First sentence here. Second one here.", "Third sentence is here.", "Fourth one  here.",
        "Fifth and final sentence."]


def test_c4_min_sentences_boundary():
    four = "One sentence is here.\nTwo sentences are here.\nThree are here now.\nFour are here now."
    drop = c4().apply(doc(four))
    assert drop.rule == "c4.min_sentences" and drop.value == 4
    assert c4().apply(doc(four + "\nFive are here now.")) is None


def test_c4_document_rules():
    many = "\n".join(SENTENCE for _ in range(6))
    assert rule_of(c4(), many + "\nLorem ipsum dolor sit amet.") == "c4.lorem_ipsum"
    assert rule_of(c4(), many + "\nthe code is { x } here") == "c4.curly_bracket"
    assert rule_of(c4(drop_curly_bracket=False), many + "\nthe code is { x } here") is None


def test_c4_terminal_punctuation_rule_is_optional():
    text = "\n".join([SENTENCE] * 5 + ["a heading without punctuation"])
    document = doc(text)
    assert c4(drop_lines_without_terminal_punct=True).apply(document) is None
    assert "heading" not in document.text
    document = doc(text)
    assert c4().apply(document) is None and "heading" in document.text


# --- FineWeb -----------------------------------------------------------------------------------
def fineweb(**overrides):
    return FineWeb(FineWebSettings(**overrides))


def test_fineweb_line_punctuation_ratio():
    long = "this line has plenty of words but ends without any stop mark at all"
    text = "\n".join([SENTENCE * 2] * 3 + [long] * 22)  # 3 / 25 = 0.12 allowed
    assert rule_of(fineweb(max_dup_line_char_ratio=None), text) is None
    text = "\n".join([SENTENCE * 2] * 3 + [long] * 23)
    assert rule_of(fineweb(max_dup_line_char_ratio=None), text) == "fineweb.min_line_punct_ratio"


def test_fineweb_short_lines_dup_chars_and_newlines():
    lines = [f"Line {i} is a long enough line of text to count as prose here." for i in range(33)]
    short = [f"Short {i}." for i in range(67)]
    assert rule_of(fineweb(max_newline_word_ratio=None), "\n".join(lines + short)) is None  # 0.67
    assert rule_of(fineweb(), "\n".join(lines[:32] + short)) == "fineweb.max_short_line_ratio"
    assert rule_of(fineweb(), "\n".join(lines + lines[:1])) == "fineweb.max_dup_line_char_ratio"
    listy = "\n".join(f"Item {i}." for i in range(50))
    assert rule_of(fineweb(max_short_line_ratio=None), listy) == "fineweb.max_newline_word_ratio"


# --- URL blocklist and language ----------------------------------------------------------------
def test_blocklist_blocks_domain_and_subdomains_only(tmp_path):
    listing = tmp_path / "block.txt"
    listing.write_text("# comment\nspam.example  # trailing comment\n")
    step = UrlBlocklist(UrlBlocklistSettings(blocklist_file=str(listing), extra_blocked_domains=["bad.org"]))
    assert rule_of(step, SENTENCE, domain="spam.example") == "url_blocklist.domain"
    assert rule_of(step, SENTENCE, domain="a.b.spam.example") == "url_blocklist.domain"
    assert rule_of(step, SENTENCE, domain="bad.org") == "url_blocklist.domain"
    assert rule_of(step, SENTENCE, domain="notspam.example") is None
    assert rule_of(UrlBlocklist(UrlBlocklistSettings()), SENTENCE, domain="www.example.com") == \
        "url_blocklist.domain"


def test_language_keeps_configured_languages_and_records_the_best():
    english = doc(SENTENCE)
    assert LanguageId(LanguageSettings()).apply(english) is None
    assert english.language == "en" and english.language_score > 0.65
    german = doc("Der Fluss trägt das Wasser zum Meer, und so war es mit Flüssen schon immer.")
    drop = LanguageId(LanguageSettings()).apply(german)
    assert drop.rule == "language.min_score" and german.language == "de"
    assert LanguageId(LanguageSettings(languages=["en", "de"])).apply(german) is None
    assert LanguageId(LanguageSettings(languages=[])).apply(german) is None


def test_disabled_steps_are_not_built():
    settings = FilterSettings(language={"enabled": False}, gopher_repetition={"enabled": False},
                              c4={"enabled": False}, safety={"enabled": False})
    assert [s.name for s in build_steps(settings)] == ["url_blocklist", "gopher_quality", "fineweb"]
    short = "the of " + " ".join(f"word{i}" for i in range(8))
    assert run_steps(build_steps(settings), doc(short)).rule == "gopher_quality.min_doc_words"
