"""LSH candidate pairs of documents small enough in number for one process (NumPy).

The same pairs as the Spark grouping in `spark_job`: documents whose key agrees in some band share
that band's bucket; a bucket with a document of this batch gives every pair of its members, or,
above `cap` members (boilerplate pages), each member with the first one. Members are ordered by
their node id's bytes, as Spark's `array_sort` orders strings, so `a < b` and the first member is
the same either way. Sorting each band's keys replaces a shuffle of documents x bands rows.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def bucket_pairs(nodes: pa.Array, is_new: np.ndarray, band_keys: np.ndarray, cap: int) -> pa.Table:
    """Distinct candidate pairs (`a`, `b`: node ids, a < b) of `nodes`, whose LSH keys are the
    rows of `band_keys` (documents x bands) and of which `is_new` marks this batch's."""
    order = pc.sort_indices(nodes).to_numpy()  # position in node-id order -> document
    keys = band_keys[order]
    is_new = is_new[order]
    found = [np.empty((0, 2), dtype=np.int64)]
    for band in range(keys.shape[1]):
        by_key = np.argsort(keys[:, band], kind="stable")  # stable: members stay in node-id order
        sorted_keys = keys[by_key, band]
        bounds = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1], [True])))
        starts, sizes = bounds[:-1], np.diff(bounds)
        two = starts[sizes == 2]
        two = two[is_new[by_key[two]] | is_new[by_key[two + 1]]]
        found.append(np.stack((by_key[two], by_key[two + 1]), axis=1))
        for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist()):
            members = by_key[start:start + size]
            if is_new[members].any():
                found.append(_pairs_of_bucket(members, cap))
    pairs = np.unique(np.concatenate(found), axis=0)
    ids = nodes.take(pa.array(order))
    return pa.table({"a": ids.take(pa.array(pairs[:, 0])), "b": ids.take(pa.array(pairs[:, 1]))})


def _pairs_of_bucket(members: np.ndarray, cap: int) -> np.ndarray:
    """(first, second) positions of a bucket's pairs; `members` ascending."""
    if members.size <= cap:
        return np.array(list(itertools.combinations(members.tolist(), 2)), dtype=np.int64)
    return np.stack((np.full(members.size - 1, members[0]), members[1:]), axis=1)
