"""Evaluation sets are disjoint from training by construction, and the check finds a planted leak."""

from flywheel.evaluation.holdout import is_evaluation_document, is_evaluation_prompt
from flywheel.evaluation.sets import build_sets, fingerprint, leaks

PROMPTS = [f"What does the Python module number {i} do?" for i in range(400)]


def _inputs():
    documents = [(f"doc-{i}", f"Document {i} about the interpreter and its modules.") for i in range(400)]
    instructions = [{"prompt": p, "response": f"It handles task {i}."} for i, p in enumerate(PROMPTS)]
    pairs = [{"prompt": p + " Please explain.", "chosen": f"Good answer {i}.", "rejected": f"Spam {i}!"}
             for i, p in enumerate(PROMPTS)]
    return documents, instructions, pairs


def _build(documents, instructions, pairs):
    return build_sets(iter(documents), instructions, pairs, [], max_documents=1000, max_document_chars=500,
                      max_prompts=1000)


def test_sets_hold_only_evaluation_items_and_no_training_text():
    sets, training = _build(*_inputs())
    assert sets.documents and sets.prompts and sets.preferences
    assert all(is_evaluation_document(d["doc_id"]) for d in sets.documents)
    assert all(is_evaluation_prompt(p["prompt"]) for p in sets.prompts + sets.preferences)
    assert len(sets.documents) + len(training.documents) == 400
    assert leaks(sets, training) == []


def test_a_held_out_pair_whose_chosen_answer_is_a_training_target_is_dropped():
    documents, instructions, pairs = _inputs()
    trained = next(e for e in instructions if not is_evaluation_prompt(e["prompt"]))
    held_out = next(p for p in pairs if is_evaluation_prompt(p["prompt"]))
    held_out["chosen"] = trained["response"]  # feedback's chosen answer is an SFT target
    sets, training = _build(documents, instructions, pairs)
    assert held_out["prompt"] not in {p["prompt"] for p in sets.preferences}
    assert sets.dropped["preference pair: answer is a training target"] == 1
    assert leaks(sets, training) == []


def test_off_prompt_rejected_is_another_prompts_chosen_answer():
    sets, _ = _build(*_inputs())
    chosen_by_prompt = {p["prompt"]: p["chosen"] for p in sets.preferences}
    for pair in sets.preferences:
        assert pair["off_prompt_rejected"] != pair["chosen"]
        assert pair["off_prompt_rejected"] in chosen_by_prompt.values()


def test_the_check_finds_a_planted_leak():
    sets, training = _build(*_inputs())
    training.documents.add(fingerprint(sets.documents[0]["text"]))
    training.prompts.add(fingerprint(sets.prompts[0]["prompt"]))
    training.answers.add(fingerprint("  " + sets.preferences[0]["chosen"].upper()))  # normalized, case-folded
    found = leaks(sets, training)
    assert {(leak["set"], leak["reason"]) for leak in found} == {
        ("documents", "document text in training"), ("prompts", "prompt in training"),
        ("preferences", "answer is a training target")}


def test_the_document_sample_is_bounded_and_stable():
    documents, instructions, pairs = _inputs()
    small, _ = build_sets(iter(documents), instructions, pairs, [], max_documents=3, max_document_chars=10,
                          max_prompts=2)
    again, _ = build_sets(iter(reversed(documents)), instructions, pairs, [], max_documents=3,
                          max_document_chars=10, max_prompts=2)
    assert len(small.documents) == 3 and len(small.prompts) == 2
    assert small.documents == again.documents
    assert all(len(d["text"]) <= 10 for d in small.documents)
