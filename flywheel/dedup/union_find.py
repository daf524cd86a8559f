"""Connected components of a graph small enough for one process: union-find with path halving."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

Node = TypeVar("Node", str, int)


def smallest_member_labels(edges: Iterable[tuple[Node, Node]]) -> dict[Node, Node]:
    """node -> the smallest node of its component, for every node of `edges` (the same labels
    as the Spark algorithm's, so either can serve). Self loops name no node, as there."""
    parent: dict[Node, Node] = {}

    def root(node: Node) -> Node:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        if a == b:
            continue
        left, right = root(a), root(b)
        if left != right:  # the smaller root becomes the parent, so a root is its component's minimum
            parent[max(left, right)] = min(left, right)
    return {node: root(node) for node in parent}
