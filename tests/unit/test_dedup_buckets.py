"""Driver-side LSH buckets against the plain definition the Spark grouping implements."""

import itertools
import random
from collections import defaultdict

import numpy as np
import pyarrow as pa
import pytest

from flywheel.dedup.buckets import bucket_pairs


def defined_pairs(nodes: list[str], is_new: list[bool], keys: np.ndarray, cap: int) -> set[tuple[str, str]]:
    buckets = defaultdict(list)
    for doc, row in enumerate(keys.tolist()):
        for band, key in enumerate(row):
            buckets[band, key].append(doc)
    pairs = set()
    for members in buckets.values():
        if len(members) < 2 or not any(is_new[m] for m in members):
            continue
        ids = sorted((nodes[m] for m in members), key=str.encode)
        pairs |= set(itertools.combinations(ids, 2)) if len(ids) <= cap else {(ids[0], x) for x in ids[1:]}
    return pairs


@pytest.mark.parametrize("seed", range(4))
def test_bucket_pairs_are_the_defined_pairs(seed):
    rng = random.Random(seed)
    documents, bands, cap = 400, 5, 6
    # Few distinct keys, so buckets of every size up to above the cap, some only of earlier batches.
    nodes = [f"{rng.choice(['b1', 'b2', 'b10', 'é'])}/{doc:05d}" for doc in range(documents)]
    is_new = [rng.random() < 0.5 for _ in range(documents)]
    keys = np.array([[rng.randrange(120) for _ in range(bands)] for _ in range(documents)], dtype=np.uint64)
    table = bucket_pairs(pa.array(nodes), np.array(is_new), keys, cap)
    got = list(zip(table.column("a").to_pylist(), table.column("b").to_pylist()))
    assert len(got) == len(set(got))
    assert set(got) == defined_pairs(nodes, is_new, keys, cap)
    assert any(size > cap for size in np.unique(keys[:, 0], return_counts=True)[1])


def test_no_buckets_no_pairs():
    empty = bucket_pairs(pa.array([], pa.string()), np.array([], bool), np.empty((0, 3), np.uint64), 10)
    assert empty.num_rows == 0 and empty.schema.names == ["a", "b"]
    single = bucket_pairs(pa.array(["b/1"]), np.array([True]), np.ones((1, 3), np.uint64), 10)
    assert single.num_rows == 0
