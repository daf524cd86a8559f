"""Connected components, in Spark and on the driver, against networkx on random graphs with long chains."""

import random

import networkx as nx
import pytest

from flywheel.dedup.connected_components import connected_components


def _random_graph(seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    edges = [(f"n{rng.randrange(300):03d}", f"n{rng.randrange(300):03d}") for _ in range(200)]
    edges += [(f"c{i:03d}", f"c{i + 1:03d}") for i in range(40)]  # a path: the worst case for rounds
    edges += [(f"s{i:03d}", "s000") for i in range(1, 30)]  # a star
    return edges


def _assert_labels_match_networkx(spark, edges, on_driver: bool) -> None:
    components = connected_components(spark.createDataFrame(edges, ["a", "b"]),
                                      max_driver_edges=len(edges) if on_driver else 0)
    assert components.on_driver == on_driver
    labels = {row["node"]: row["component"] for row in components.labels.collect()}
    graph = nx.Graph((a, b) for a, b in edges if a != b)
    assert labels == {node: min(c) for c in nx.connected_components(graph) for node in c}
    assert components.rounds <= 12  # logarithmic, not the path's length


@pytest.mark.parametrize("on_driver", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_labels_match_networkx(spark, seed, on_driver):
    _assert_labels_match_networkx(spark, _random_graph(seed), on_driver)


def test_a_checkpoint_directory_gives_reliable_checkpoints(spark, tmp_path):
    """As on a cluster (`SparkResource.checkpoint_dir`): the rounds are written to shared storage."""
    context = spark.sparkContext
    context.setCheckpointDir(str(tmp_path))
    try:
        _assert_labels_match_networkx(spark, _random_graph(0), on_driver=False)
    finally:  # the session is shared: back to local checkpoints
        getattr(context._jsc.sc(), "checkpointDir_$eq")(context._jvm.scala.Option.empty())
    assert context.getCheckpointDir() is None
    assert any(path.name.startswith("rdd-") for path in tmp_path.rglob("*"))


def test_no_edges_gives_no_labels(spark):
    empty = spark.createDataFrame([], "a string, b string")
    for max_driver_edges in (0, 10):
        components = connected_components(empty, max_driver_edges=max_driver_edges)
        assert components.labels.count() == 0 and components.rounds == 0
