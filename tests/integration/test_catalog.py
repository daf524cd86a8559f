"""The catalog standard every asset keeps (owners, tags, code links, described config, column
schemas), lineage that starts in the landing zones, and declared columns that are the columns the
assets really write."""

import graphlib

import dagster as dg
import pyarrow.parquet as pq
import pytest
from dagster._config import ConfigTypeKind

from flywheel.columns import DATASET_COLUMNS, GLOSSARY
from flywheel.datasets import FEEDBACK_EVENTS, RAW_CRAWL, REWARD_DATA
from flywheel.feedback.ingest import FeedbackLog
from flywheel.home import FlywheelHome
from orchestration.catalog import ENTRIES, LANDING_CRAWL, LANDING_FEEDBACK
from orchestration.definitions import build_definitions
from orchestration.resources import StorageResource
from tests.integration.conftest import SAMPLE_BATCH

_SHAPES = (ConfigTypeKind.STRICT_SHAPE, ConfigTypeKind.PERMISSIVE_SHAPE, ConfigTypeKind.SELECTOR)


@pytest.fixture(scope="module")
def definitions(tmp_path_factory) -> dg.Definitions:
    return build_definitions(FlywheelHome(tmp_path_factory.mktemp("catalog") / "flywheel").ensure())


@pytest.fixture(scope="module")
def asset_graph(definitions):
    return definitions.resolve_asset_graph()


def _keys(asset_graph) -> list[dg.AssetKey]:
    return sorted(asset_graph.get_all_asset_keys(), key=lambda key: key.to_user_string())


def test_every_asset_has_an_owner_tags_and_a_link_to_its_code(asset_graph):
    for key in _keys(asset_graph):
        node, name = asset_graph.get(key), key.to_user_string()
        assert name in ENTRIES, f"{name} has no catalog entry (orchestration/catalog.py)"
        assert node.owners and {"domain", "tier"} <= set(node.tags), name
        assert node.description, name
        if not node.is_external:
            assert "dagster/code_references" in node.metadata, name


def test_every_dataset_declares_its_columns_with_descriptions(asset_graph):
    parquet = {key.to_user_string() for key in _keys(asset_graph) if "parquet" in asset_graph.get(key).kinds}
    assert parquet == set(DATASET_COLUMNS)
    for name in parquet:
        schema = asset_graph.get(dg.AssetKey(name)).metadata["dagster/column_schema"]
        assert [c.name for c in schema.columns] == DATASET_COLUMNS[name]
        assert all(c.description for c in schema.columns), name


def _undescribed(config_type, path: str) -> list[str]:
    if config_type.kind in _SHAPES:
        return [found for name, field in config_type.fields.items()
                for found in ([f"{path}.{name}"] if not field.description else [])
                + _undescribed(field.config_type, f"{path}.{name}")]
    if config_type.kind in (ConfigTypeKind.NONEABLE, ConfigTypeKind.ARRAY):
        return _undescribed(config_type.inner_type, path)
    return []


def test_every_config_field_is_described(definitions):
    undescribed = [field for assets in definitions.assets if isinstance(assets, dg.AssetsDefinition)
                   and assets.op.config_field is not None
                   for field in _undescribed(assets.op.config_field.config_type, assets.op.name)]
    assert not undescribed, f"config fields without a description: {undescribed}"


def test_lineage_starts_in_the_landing_zones_and_groups_follow_the_flow(asset_graph):
    assert LANDING_CRAWL in asset_graph.get(dg.AssetKey(RAW_CRAWL)).parent_keys
    assert LANDING_FEEDBACK in asset_graph.get(dg.AssetKey(FEEDBACK_EVENTS)).parent_keys
    group_edges: dict[str, set[str]] = {}
    for key in _keys(asset_graph):
        group = asset_graph.get(key).group_name
        group_edges.setdefault(group, set()).update(
            asset_graph.get(parent).group_name for parent in asset_graph.get(key).parent_keys
            if asset_graph.get(parent).group_name != group)
    order = list(graphlib.TopologicalSorter(group_edges).static_order())  # raises CycleError on a cycle
    assert order.index("landing") < order.index("curation") < order.index("quality") < order.index("training")


def _written_columns(lake, dataset: str) -> list[str]:
    return lake.read_partition(dataset, SAMPLE_BATCH).schema.names


@pytest.mark.spark
@pytest.mark.slow
def test_declared_columns_are_the_columns_curation_writes(curated_sample):
    _, lake, _, _ = curated_sample
    for dataset in ("raw_crawl", "raw_crawl_rejected", "filtered_docs", "filtered_docs_rejected",
                    "deduplicated_docs", "dedup_clusters", "minhash_index"):
        assert _written_columns(lake, dataset) == DATASET_COLUMNS[dataset], dataset


@pytest.mark.slow
def test_declared_columns_are_the_columns_the_feedback_loop_writes(feedback_loop_run):
    home, _, _, _ = feedback_loop_run
    storage = StorageResource.for_home(home)
    assert FeedbackLog(storage.lake()).events().schema.names == DATASET_COLUMNS[FEEDBACK_EVENTS]
    pairs = storage.versioned_datasets().current(REWARD_DATA)
    assert pq.read_schema(f"{pairs['path']}/train.parquet").names == DATASET_COLUMNS[REWARD_DATA]


def test_every_glossary_column_is_used():
    used = {name for columns in DATASET_COLUMNS.values() for name in columns}
    assert set(GLOSSARY) == used
