"""Deduplicate one batch of documents with Spark, against itself and an index of earlier batches.

1. Signatures: exact hash, MinHash signature and LSH band keys, in Arrow batches per partition.
2. Exact duplicates: documents whose normalized text hashes equal; one per hash survives.
3. Candidates: survivors sharing an LSH bucket become candidate pairs (buckets formed on the driver
   by `buckets.bucket_pairs` where the documents fit, else grouped in Spark).
4. Verification: each candidate's exact shingle Jaccard; pairs below the threshold are dropped.
5. Clusters: connected components of the verified pairs (Spark, see `connected_components`).
6. One document per cluster is kept (`keep_order`); the rest name the one they duplicate.

Nodes are keyed `<batch>/<doc_id>`, since an unchanged page crawled again has the same doc_id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from flywheel.dedup.arrow_steps import INDEX_SCHEMA, score_pairs, signatures
from flywheel.dedup.buckets import bucket_pairs
from flywheel.dedup.connected_components import Components, connected_components
from flywheel.dedup.settings import DedupSettings
from flywheel.spark_session import spread_over_cores
from flywheel.stage_timer import StageTimer

CLUSTER_COLUMNS = ["doc_id", "cluster_id", "kept", "duplicate_of", "duplicate_of_batch",
                   "duplicate_kind", "cluster_size"]


def keep_order() -> list[Column]:
    """Which copy of a cluster is kept: one published by an earlier batch (it cannot be taken
    back), then the earliest fetched, then the longest text, then the smallest key, so reruns agree."""
    return [F.col("prior").desc(), F.col("fetch_time").asc_nulls_last(), F.col("text_chars").desc(),
            F.col("node").asc()]


# Every pair of a bucket's (sorted) members, or for a bucket above the cap each member with the
# first, so a bucket of n members costs n-1 pairs.
_BUCKET_PAIRS = """
CASE WHEN size(members) <= {cap}
  THEN flatten(transform(sequence(1, size(members) - 1),
       i -> transform(slice(members, i + 1, size(members) - i),
                      x -> named_struct('a', members[i - 1], 'b', x))))
  ELSE transform(slice(members, 2, size(members) - 1), x -> named_struct('a', members[0], 'b', x))
END"""


@dataclass
class DedupInputs:
    batch: str
    docs_url: str  # the batch's documents (`doc_id`, `url`, `fetch_time`, `text`, ...)
    prior_index_urls: list[str]  # minhash_index partitions of every other batch
    prior_docs_urls: dict[str, str]  # batch -> its deduplicated_docs (texts for verification)


@dataclass
class DedupOutputs:
    kept_url: str
    clusters_url: str
    index_url: str


@dataclass
class DedupReport:
    rows_in: int
    kept: int
    exact_in_batch: int
    exact_vs_index: int
    near_in_batch: int
    near_vs_index: int
    prior_index_docs: int
    candidate_pairs: int
    verified_pairs: int
    signature_only_pairs: int  # pairs whose earlier document's text was gone: judged by signature
    cluster_sizes: dict[int, int]  # documents per cluster -> clusters, for clusters of this batch
    pair_examples: list[dict]
    cc_rounds: int
    components_on_driver: bool
    bands: int
    rows: int
    buckets_on_driver: bool  # LSH buckets formed on the driver rather than by a Spark shuffle
    # Wall-clock time of each step (Spark evaluates lazily, so each step's frame is materialized at
    # its end to time it; they are cached, so this is free).
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def removed(self) -> int:
        return self.rows_in - self.kept


def _first_by_keep_order(group: str, column: str) -> Column:
    return F.first(column).over(Window.partitionBy(group).orderBy(*keep_order()))


class _Dedup:
    """One run's DataFrames, built step by step (see the module docstring)."""

    def __init__(self, spark: SparkSession, inputs: DedupInputs, settings: DedupSettings) -> None:
        self.spark, self.inputs, self.settings = spark, inputs, settings
        self._cached: list[DataFrame] = []
        self.docs = spread_over_cores(spark.read.parquet(inputs.docs_url))
        new = signatures(self.docs, inputs.batch, settings).withColumn("prior", F.lit(False))
        prior = (spark.read.schema(INDEX_SCHEMA).parquet(*inputs.prior_index_urls)
                 if inputs.prior_index_urls else spark.createDataFrame([], INDEX_SCHEMA))
        self.nodes = self.cache(new.unionByName(prior.withColumn("prior", F.lit(True)))
                                .withColumn("node", F.concat_ws("/", "batch", "doc_id")))

    def cache(self, frame: DataFrame) -> DataFrame:
        """Persist a frame that several steps read; `release` drops them all at the end."""
        self._cached.append(frame.persist(StorageLevel.MEMORY_AND_DISK))
        return frame

    def release(self) -> None:
        for frame in self._cached:
            frame.unpersist()

    def exact_representatives(self) -> DataFrame:
        """`node`, `exact_rep`: the copy each document's normalized text is kept under."""
        return self.nodes.select("node", _first_by_keep_order("exact_hash", "node").alias("exact_rep"))

    def candidate_pairs(self, survivors: DataFrame, on_driver: bool) -> DataFrame:
        """Distinct (`a`, `b`) pairs of survivors sharing a bucket, with a document of this batch,
        grouped on the driver (see `buckets`) or in Spark."""
        if not on_driver:
            return self._candidate_pairs_in_spark(survivors)
        bands, _ = self.settings.banding()
        table = survivors.select("node", "prior", "band_keys").toArrow()
        keys = table.column("band_keys").combine_chunks().flatten().to_numpy().reshape(-1, bands)
        is_new = ~table.column("prior").to_numpy().astype(bool)
        pairs = bucket_pairs(table.column("node").combine_chunks(), is_new, keys, self.settings.max_bucket_size)
        return self.spark.createDataFrame(pairs)

    def _candidate_pairs_in_spark(self, survivors: DataFrame) -> DataFrame:
        buckets = (survivors.select("node", "prior", F.posexplode("band_keys").alias("band", "key"))
                   .groupBy("band", "key")
                   .agg(F.array_sort(F.collect_list("node")).alias("members"),
                        F.bool_or(~F.col("prior")).alias("has_new"))
                   .filter((F.size("members") > 1) & F.col("has_new")))
        pairs_sql = _BUCKET_PAIRS.format(cap=self.settings.max_bucket_size)
        return buckets.select(F.explode(F.expr(pairs_sql)).alias("pair")).select("pair.a", "pair.b").distinct()

    def scored_pairs(self, pairs: DataFrame) -> DataFrame:
        """Candidates (not both from earlier batches) with their Jaccard and the docs' details."""
        # Signatures travel with the pairs only where a text can be missing: without verification,
        # or with earlier batches (their texts may be gone). They are most of a pair's bytes.
        estimates = not self.settings.verify_candidates or bool(self.inputs.prior_index_urls)
        info = self.nodes.select("node", "batch", "doc_id", "prior", "url", *(["signature"] if estimates else []))
        side = {s: info.select(*[F.col(c).alias(f"{c}_{s}") for c in info.columns]) for s in "ab"}
        pairs = self.cache(pairs.join(side["a"], pairs.a == F.col("node_a"))
                           .join(side["b"], pairs.b == F.col("node_b"))
                           .filter(~(F.col("prior_a") & F.col("prior_b"))))
        groups = self._candidate_groups(pairs)
        texts = self._texts(pairs).join(groups("node"), "node")
        return score_pairs(texts, pairs.join(groups("a"), "a"), self.settings, estimates)

    def _candidate_groups(self, pairs: DataFrame) -> Callable[[str], DataFrame]:
        """For a key column name, a (broadcast) frame of key, `group` for every document in a pair:
        documents linked by candidate pairs share a group, and components are hashed into about
        one group per 500 documents (small groups spread the work evenly over the cores). (A
        function, so each join gets fresh columns.)"""
        components = connected_components(pairs.select("a", "b"), self.settings.max_driver_component_edges)
        labels = self.cache(components.labels)
        groups = max(self.spark.sparkContext.defaultParallelism * 4, labels.count() // 500)
        return lambda key: F.broadcast(labels.select(
            F.col("node").alias(key), F.pmod(F.xxhash64("component"), F.lit(groups)).alias("group")))

    def assign_keepers(self, exact: DataFrame, labels: DataFrame) -> DataFrame:
        """Every document of this batch with the copy kept for it (`CLUSTER_COLUMNS` + `keeper_prior`).

        A clustered survivor's keeper is its component's first by `keep_order`; any other
        document's is that of its exact representative (itself, for most).
        """
        attributes = self.nodes.select("node", "doc_id", "batch", "prior", "fetch_time", "text_chars")
        keepers = (labels.join(attributes, "node")
                   .select(F.col("node").alias("exact_rep"), _first_by_keep_order("component", "node").alias("keeper")))
        keeper_details = attributes.select(
            F.col("node").alias("keeper"), F.col("doc_id").alias("keeper_doc_id"),
            F.col("batch").alias("keeper_batch"), F.col("prior").alias("keeper_prior"))
        assigned = (exact.join(keepers, "exact_rep", "left")
                    .withColumn("keeper", F.coalesce("keeper", "exact_rep"))
                    .join(attributes.filter(~F.col("prior")), "node")
                    .join(keeper_details, "keeper")
                    .withColumn("kept", F.col("node") == F.col("keeper")))
        duplicate = ~F.col("kept")
        return assigned.select(
            "doc_id", F.col("keeper_doc_id").alias("cluster_id"), "kept",
            F.when(duplicate, F.col("keeper_doc_id")).alias("duplicate_of"),
            F.when(duplicate, F.col("keeper_batch")).alias("duplicate_of_batch"),
            F.when(duplicate, F.when(F.col("node") != F.col("exact_rep"), "exact").otherwise("near"))
            .alias("duplicate_kind"),
            # This batch's documents in the cluster, plus the earlier batch's copy they point to.
            (F.count("*").over(Window.partitionBy("keeper")) + F.col("keeper_prior").cast("long"))
            .alias("cluster_size"),
            "keeper_prior")

    def _texts(self, pairs: DataFrame) -> DataFrame:
        """`node`, `text` of this batch's documents and of the earlier batches that candidates point
        into (only those partitions are read); the caller keeps those in a candidate group."""
        texts = self.docs.select(F.concat_ws("/", F.lit(self.inputs.batch), "doc_id").alias("node"), "text")
        if not self.settings.verify_candidates:
            return texts.limit(0)
        if not self.inputs.prior_docs_urls:  # the first batch: no Spark job to find earlier ones
            return texts
        batches = {row[0] for row in pairs.filter("prior_a").select("batch_a").union(
            pairs.filter("prior_b").select("batch_b")).distinct().collect()}
        for batch in sorted(batches & self.inputs.prior_docs_urls.keys()):
            earlier = self.spark.read.parquet(self.inputs.prior_docs_urls[batch])
            texts = texts.unionByName(earlier.select(F.concat_ws("/", F.lit(batch), "doc_id").alias("node"), "text"))
        return texts


def run_dedup(spark: SparkSession, inputs: DedupInputs, outputs: DedupOutputs,
              settings: DedupSettings, examples: int = 5) -> DedupReport:
    timer = StageTimer()
    run = _Dedup(spark, inputs, settings)
    nodes = run.nodes
    try:
        with timer.stage("signatures"):
            documents = nodes.count()
        with timer.stage("exact duplicates"):
            exact = run.cache(run.exact_representatives())
            exact.count()
        with timer.stage("candidate grouping"):
            survivors = nodes.join(exact.filter(F.col("node") == F.col("exact_rep")).select("node"), "node")
            buckets_on_driver = documents <= settings.max_driver_bucket_documents
            candidates = run.cache(run.candidate_pairs(survivors, buckets_on_driver))
            candidates.count()
        with timer.stage("verification"):
            pairs = run.cache(run.scored_pairs(candidates))
            pairs.count()
        with timer.stage("connected components"):
            edges = pairs.filter(F.col("jaccard") >= settings.threshold) if settings.verify_candidates else pairs
            components = connected_components(edges.select("a", "b"), settings.max_driver_component_edges)
            clusters = run.cache(run.assign_keepers(exact, components.labels))
            clusters.count()
        with timer.stage("writing"):
            clusters.select(*CLUSTER_COLUMNS).write.mode("overwrite").parquet(outputs.clusters_url)
            # Broadcast the kept ids (small) so the texts are written without a shuffle.
            kept = F.broadcast(clusters.filter("kept").select("doc_id", "cluster_size"))
            run.docs.join(kept, "doc_id").write.mode("overwrite").parquet(outputs.kept_url)
            (nodes.filter(~F.col("prior")).join(kept.select("doc_id"), "doc_id")
             .select(*INDEX_SCHEMA.fieldNames()).write.mode("overwrite").parquet(outputs.index_url))
        with timer.stage("report"):
            report = _report(run, clusters, pairs, components, buckets_on_driver, examples)
        return replace(report, stage_seconds=timer.seconds)
    finally:
        run.release()


def _report(run: _Dedup, clusters: DataFrame, pairs: DataFrame, components: Components,
            buckets_on_driver: bool, examples: int) -> DedupReport:
    settings = run.settings
    kinds = {(row["duplicate_kind"], row["keeper_prior"]): row["count"] for row in
             clusters.groupBy("duplicate_kind", "keeper_prior").count().collect()}
    sizes = {row["cluster_size"]: row["count"] for row in
             clusters.filter("kept OR keeper_prior").groupBy("cluster_id", "cluster_size").count()
             .groupBy("cluster_size").count().collect()}
    pair_counts = pairs.agg(
        F.count("*").alias("candidates"),
        F.sum((F.col("jaccard") >= settings.threshold).cast("long")).alias("verified"),
        F.sum((F.col("method") == "signature").cast("long")).alias("signature_only")).first()
    # The near-duplicates closest to the threshold show best whether it is set right.
    shown = (pairs.filter(F.col("jaccard") >= settings.threshold).orderBy("jaccard", "a", "b")
             .limit(examples).collect())
    bands, rows = settings.banding()
    rows_in = sum(kinds.values())
    prior_docs = run.nodes.filter("prior").count() if run.inputs.prior_index_urls else 0
    return DedupReport(
        rows_in=rows_in,
        kept=kinds.get((None, False), 0),
        exact_in_batch=kinds.get(("exact", False), 0), exact_vs_index=kinds.get(("exact", True), 0),
        near_in_batch=kinds.get(("near", False), 0), near_vs_index=kinds.get(("near", True), 0),
        prior_index_docs=prior_docs,
        candidate_pairs=pair_counts["candidates"], verified_pairs=pair_counts["verified"] or 0,
        signature_only_pairs=pair_counts["signature_only"] or 0,
        cluster_sizes=dict(sorted(sizes.items())),
        pair_examples=[{"jaccard": round(r["jaccard"], 4), "method": r["method"], "url_a": r["url_a"],
                        "batch_a": r["batch_a"], "url_b": r["url_b"], "batch_b": r["batch_b"],
                        "text_a": r["snippet_a"], "text_b": r["snippet_b"]} for r in shown],
        cc_rounds=components.rounds, components_on_driver=components.on_driver, bands=bands, rows=rows,
        buckets_on_driver=buckets_on_driver)
