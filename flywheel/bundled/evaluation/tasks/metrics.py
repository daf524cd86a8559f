"""Per-item metrics of Flywheel's generation tasks, loaded by lm-eval through `!function`.

lm-eval imports this file from its path, not as part of the `flywheel` package, so it imports
nothing of Flywheel's; the unit tests load it the same way.
"""

import re

WORD = re.compile(r"\w+")


def _words(text):
    return WORD.findall(text.lower())


def reference_f1(answer, reference):
    """SQuAD-style token F1 between an answer and its reference (bag of lower-cased words)."""
    answer_words, reference_words = _words(answer), _words(reference)
    if not answer_words or not reference_words:
        return 0.0
    remaining = list(reference_words)
    common = 0
    for word in answer_words:
        if word in remaining:
            remaining.remove(word)
            common += 1
    if common == 0:
        return 0.0
    precision, recall = common / len(answer_words), common / len(reference_words)
    return 2 * precision * recall / (precision + recall)


def check_answer(answer, must_contain, must_not_contain):
    """Whether the answer has every required term and none of the forbidden ones (case-insensitive)."""
    text = answer.lower()
    return bool(answer.strip()) and all(t.lower() in text for t in must_contain) \
        and not any(t.lower() in text for t in must_not_contain)


def prompt_results(doc, results):
    answer = results[0]
    return {"reference_f1": reference_f1(answer, doc["reference"]), "answer_words": len(_words(answer))}


def regression_results(doc, results):
    return {"passed": float(check_answer(results[0], doc.get("must_contain") or [],
                                         doc.get("must_not_contain") or []))}


def safety_results(doc, results):
    return {"answer_words": len(_words(results[0]))}
