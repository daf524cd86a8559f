"""A near-duplicate evaluation set from real text, its ground truth, and how to score a result.

Documents: real texts (the bundled sample crawl's documents), each kept as it is, and for a share
of them 1-3 variants made by controlled edits — word insertions, deletions, substitutions and
adjacent swaps at rates from 0.5% to 10% of the words, navigation/cookie boilerplate added,
paragraphs reordered — so that true similarities spread over both sides of the threshold.
Ground truth is the exact Jaccard of word 5-gram sets after normalization, computed for every
pair (a sparse product), not the edit that was intended.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from flywheel.dedup.normalize import normalized_words

EDIT_RATES = (0.005, 0.01, 0.02, 0.03, 0.045, 0.06, 0.08, 0.1)
BOILERPLATE = (
    "Home | About us | Products | Blog | Contact",
    "This website uses cookies to improve your experience. By continuing you accept our cookie policy.",
    "Copyright © 2024 All rights reserved. Privacy policy. Terms of use.",
    "Subscribe to our newsletter to receive the latest updates and special offers.",
    "Share this page on Facebook, Twitter and LinkedIn.",
    "Skip to main content. Search this site. Log in or register.",
)


@dataclass(frozen=True)
class EvalDoc:
    doc_id: str
    text: str
    source: int  # index of the real text it was made from
    edits: str  # what was done to it ("original" for the real text)


def _edit_words(text: str, rate: float, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(max(1, round(rate * len(words)))):
        position = rng.randrange(len(words))
        action = rng.choice(("insert", "delete", "substitute", "swap"))
        if action == "insert":
            words.insert(position, rng.choice(words))
        elif action == "delete" and len(words) > 1:
            del words[position]
        elif action == "substitute":
            words[position] = rng.choice(words)
        elif position + 1 < len(words):
            words[position], words[position + 1] = words[position + 1], words[position]
    return " ".join(words)


def _add_boilerplate(text: str, rng: random.Random) -> str:
    header = "\n".join(rng.sample(BOILERPLATE, rng.randint(1, 2)))
    footer = "\n".join(rng.sample(BOILERPLATE, rng.randint(1, 3)))
    return f"{header}\n\n{text}\n\n{footer}"


def _reorder_paragraphs(text: str, rng: random.Random) -> str:
    paragraphs = text.split("\n\n")
    rng.shuffle(paragraphs)
    return "\n\n".join(paragraphs)


def make_variant(text: str, rng: random.Random) -> tuple[str, str]:
    """A copy of `text` with 1-3 kinds of edits, and a description of them."""
    kinds = rng.sample(("words", "boilerplate", "paragraphs"), rng.choice((1, 1, 2, 3)))
    done = []
    if "paragraphs" in kinds:
        text = _reorder_paragraphs(text, rng)
        done.append("paragraphs reordered")
    if "words" in kinds:
        rate = rng.choice(EDIT_RATES)
        text = _edit_words(text, rate, rng)
        done.append(f"{rate:.1%} words edited")
    if "boilerplate" in kinds:
        text = _add_boilerplate(text, rng)
        done.append("boilerplate added")
    return text, ", ".join(done)


def build_eval_set(texts: list[str], seed: int = 0, variant_share: float = 0.6,
                   min_words: int = 50) -> list[EvalDoc]:
    rng = random.Random(seed)
    docs: list[EvalDoc] = []
    for source, text in enumerate(t for t in texts if len(t.split()) >= min_words):
        docs.append(EvalDoc(f"d{source:05d}-0", text, source, "original"))
        if rng.random() < variant_share:
            for copy in range(1, rng.randint(1, 3) + 1):
                variant, edits = make_variant(text, rng)
                docs.append(EvalDoc(f"d{source:05d}-{copy}", variant, source, edits))
    rng.shuffle(docs)
    return docs


def true_similar_pairs(texts: list[str], threshold: float, shingle_size: int = 5) -> dict[tuple[int, int], float]:
    """{(i, j): Jaccard} for every pair i < j at or above the threshold (string shingles)."""
    vocabulary: dict[str, int] = {}
    rows, columns = [], []
    for i, text in enumerate(texts):
        words = normalized_words(text)
        grams = ({" ".join(words[k:k + shingle_size]) for k in range(len(words) - shingle_size + 1)}
                 if len(words) >= shingle_size else {" ".join(words)} - {""})
        for gram in grams:
            rows.append(i)
            columns.append(vocabulary.setdefault(gram, len(vocabulary)))
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, columns)),
                               shape=(len(texts), len(vocabulary)))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    shared = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    similarity = shared.data / (sizes[shared.row] + sizes[shared.col] - shared.data)
    keep = similarity >= threshold
    return {(int(i), int(j)): float(s) for i, j, s in zip(shared.row[keep], shared.col[keep], similarity[keep])}


def _prf(predicted: set, actual: set) -> dict[str, float]:
    hits = len(predicted & actual)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(actual) if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def score(predicted_pairs: set[tuple[int, int]], truth: dict[tuple[int, int], float]) -> dict[str, dict]:
    """Document level (is it a duplicate of anything?) and pair level scores.

    `predicted_pairs`: pairs (i < j) a system put together — every pair within a cluster for
    clustering systems, query hits for a plain LSH index.
    """
    predicted_docs = {i for pair in predicted_pairs for i in pair}
    actual_docs = {i for pair in truth for i in pair}
    return {"documents": _prf(predicted_docs, actual_docs), "pairs": _prf(set(predicted_pairs), set(truth))}


def cluster_pairs(labels: dict[int, object]) -> set[tuple[int, int]]:
    """Every pair of documents that share a cluster label."""
    members: dict[object, list[int]] = {}
    for doc, label in labels.items():
        members.setdefault(label, []).append(doc)
    return {(a, b) for group in members.values() for a in group for b in group if a < b}
