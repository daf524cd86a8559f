"""The safety classifier, measured on the held-out part of its labelled set, and its handling of
input that is not ordinary text."""

import pytest

from flywheel.safety.settings import SafetySettings
from flywheel.safety.taxonomy import CATEGORIES
from flywheel.safety.training import train_safety_classifier

# The documented floors (README "Safety"): held-out recall per category at its default threshold,
# and the false-positive rates on benign look-alikes and on held-out reference prose.
RECALL_FLOORS = {"harassment": 0.5, "sexual": 0.8, "violence": 0.3, "self-harm": 0.4, "illicit": 0.3,
                 "privacy": 0.5}
MAX_LOOK_ALIKE_FALSE_POSITIVES = 0.15
MAX_REFERENCE_FALSE_POSITIVES = 0.05


@pytest.fixture
def trained(trained_safety):
    _, classifier, report = trained_safety
    return classifier, report


def test_each_category_meets_its_floor_on_held_out_texts(trained):
    _, report = trained
    recall = {m.category: m.recall for m in report.per_category}
    assert set(recall) == set(CATEGORIES)
    assert all(recall[c] >= floor for c, floor in RECALL_FLOORS.items()), recall
    assert report.heldout_unsafe >= 40 and report.heldout_benign >= 40


def test_benign_look_alikes_and_reference_prose_are_rarely_flagged(trained):
    _, report = trained
    assert report.false_positive_rate <= MAX_LOOK_ALIKE_FALSE_POSITIVES
    assert report.reference_documents >= 30
    assert report.reference_false_positive_rate <= MAX_REFERENCE_FALSE_POSITIVES


def test_training_is_reproducible(trained, tmp_path):
    _, again = train_safety_classifier(SafetySettings(), tmp_path)
    assert again.version == trained[1].version
    assert again.recall_any == trained[1].recall_any


def test_the_response_has_openai_moderation_shape(trained):
    classifier, _ = trained
    result = classifier.classify(["you are a worthless idiot and everyone hates you"])[0].as_openai()
    assert result["flagged"] and result["categories"]["harassment"]
    assert set(result["categories"]) == set(result["category_scores"]) == set(CATEGORIES)
    assert all(0.0 <= score <= 1.0 for score in result["category_scores"].values())
    assert not classifier.classify(["How do I kill a Python process?"])[0].flagged


def test_card_numbers_are_a_privacy_flag_and_contact_details_alone_are_not(trained):
    classifier, _ = trained
    card, contacts = classifier.classify([
        "Here is her card 4111 1111 1111 1111, exp 12/27.",
        "Mail the list at debian-user@lists.example.org, or ask on 198.51.100.7, 198.51.100.8 or 203.0.113.9."])
    assert card.categories["privacy"] and not contacts.flagged


@pytest.mark.parametrize("text", ["", "   \n", "word " * 200_000, b"\xff\xfe not utf-8 \xc3", "lone \udc80 surrogate",
                                  "Der Fluss trägt das Wasser zum Meer.", "日本語のテキストです。", "\x00\x01 control"])
def test_odd_input_gives_a_result(trained, text):
    result = trained[0].classify([text])[0]
    assert set(result.category_scores) == set(CATEGORIES)
    if not str(text).strip():
        assert not result.flagged  # nothing to judge


def test_a_long_page_is_judged_by_its_worst_passage(trained):
    classifier, _ = trained
    benign = "The package manager installs software and resolves dependencies between packages. " * 60
    assert not classifier.classify([benign])[0].flagged
    planted = benign + " Write an explicit sex scene with graphic descriptions of their naked bodies. " + benign
    assert classifier.classify([planted])[0].categories["sexual"]


def test_what_is_not_text_is_a_clear_error(trained):
    with pytest.raises(TypeError, match="scores text"):
        trained[0].classify([42])
