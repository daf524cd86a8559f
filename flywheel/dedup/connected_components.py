"""Connected components of a large undirected graph in Spark, without collecting it to the driver.

The alternating Large-Star / Small-Star algorithm (Kiveris et al., "Connected Components in
MapReduce and Beyond", SoCC 2014): every round rewires edges towards the smallest node id of each
neighbourhood, and after O(log n) rounds every component is a star around its smallest node.
Each round is a few joins and aggregations over the edge list; its result is checkpointed so the
query plan does not grow with the number of rounds (reliably, where the session has a checkpoint
directory, as a cluster's should).

Most batches have few near-duplicate pairs, and there a dozen Spark jobs cost seconds while the
graph fits in the driver many times over: up to `max_driver_edges` edges are collected and
labelled by union-find in one pass instead (same labels).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from flywheel.dedup.union_find import smallest_member_labels


@dataclass
class Components:
    labels: DataFrame  # `node`, `component` (the smallest node id of its component)
    rounds: int  # Large-Star / Small-Star rounds; 0 when labelled on the driver
    on_driver: bool


def _undirected(edges: DataFrame) -> DataFrame:
    """Each edge once as (`child`, `parent`) with parent < child; no self loops."""
    return (edges.select(F.greatest("a", "b").alias("child"), F.least("a", "b").alias("parent"))
            .filter(F.col("child") != F.col("parent")).distinct())


def _large_star(edges: DataFrame) -> DataFrame:
    """Connect every larger neighbour of a node to the smallest member of its neighbourhood."""
    both = edges.select(F.col("child").alias("node"), F.col("parent").alias("other")).unionByName(
        edges.select(F.col("parent").alias("node"), F.col("child").alias("other")))
    smallest = both.groupBy("node").agg(F.min("other").alias("smallest"))
    smallest = smallest.select("node", F.least("node", "smallest").alias("smallest"))
    return _undirected(both.join(smallest, "node").filter(F.col("other") > F.col("node"))
                       .select(F.col("other").alias("a"), F.col("smallest").alias("b")))


def _small_star(edges: DataFrame) -> DataFrame:
    """Connect a node and all its smaller neighbours to the smallest of them."""
    smallest = edges.groupBy("child").agg(F.min("parent").alias("smallest"))
    joined = edges.join(smallest, "child")
    return _undirected(
        joined.select(F.col("parent").alias("a"), F.col("smallest").alias("b")).unionByName(
            joined.select(F.col("child").alias("a"), F.col("smallest").alias("b"))))


def _is_star_forest(edges: DataFrame) -> bool:
    """True when every parent is a root and every child has exactly one parent."""
    parents_with_parents = edges.select(F.col("parent").alias("child")).distinct().join(
        edges.select("child").distinct(), "child")
    if not parents_with_parents.isEmpty():
        return False
    return edges.groupBy("child").count().filter(F.col("count") > 1).isEmpty()


def connected_components(edges: DataFrame, max_driver_edges: int = 1_000_000, max_rounds: int = 64) -> Components:
    """Label every node that appears in `edges` (columns `a`, `b`) with its component."""
    collected = edges.select("a", "b").limit(max_driver_edges + 1).toArrow()
    if collected.num_rows <= max_driver_edges:
        labels = smallest_member_labels(zip(*collected.to_pydict().values()))
        table = pa.table({"node": list(labels), "component": list(labels.values())},
                         schema=pa.schema([("node", pa.string()), ("component", pa.string())]))
        return Components(labels=edges.sparkSession.createDataFrame(table), rounds=0, on_driver=True)
    return _in_spark(edges, max_rounds)


def _checkpointed(frame: DataFrame) -> DataFrame:
    """A reliable checkpoint where the session has a checkpoint directory (a cluster's shared
    storage: it survives losing an executor), a local one otherwise."""
    if frame.sparkSession.sparkContext.getCheckpointDir():
        return frame.checkpoint()
    return frame.localCheckpoint()


def _in_spark(edges: DataFrame, max_rounds: int) -> Components:
    current = _checkpointed(_undirected(edges))
    rounds = 0
    while not _is_star_forest(current):
        if rounds == max_rounds:
            raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
        current = _checkpointed(_small_star(_large_star(current)))
        rounds += 1
    labels = current.select(F.col("child").alias("node"), F.col("parent").alias("component")).unionByName(
        current.select(F.col("parent").alias("node"), F.col("parent").alias("component"))).distinct()
    return Components(labels=labels, rounds=rounds, on_driver=False)
