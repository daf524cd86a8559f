"""Deduplication settings: shingles, MinHash size, LSH bands x rows, threshold, verification.

Defaults: word 5-grams and 112 hashes in 14 bands of 8 rows, as FineWeb/datatrove. That banding
makes a pair a candidate with probability 1-(1-s^8)^14: 0.92 at Jaccard 0.8, 0.99 at 0.85, but
also 0.56 at 0.7. Every candidate is then checked against the 0.8 threshold by its exact Jaccard,
so the extra candidates cost one comparison each and are never wrongly removed, while the
candidates LSH misses would be lost for good. datasketch's "optimal" banding for 0.8 (9 x 12)
weighs both errors equally and finds only 47% of pairs at exactly 0.8. Set `bands`/`rows` to null
to use datasketch's choice for the threshold and weights instead.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DedupSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    shingle_size: int = Field(default=5, ge=1, description="Words per shingle (n-gram).")
    num_perm: int = Field(default=112, ge=2, le=1024, description="MinHash hash functions.")
    threshold: float = Field(default=0.8, gt=0.0, le=1.0,
                             description="Jaccard similarity from which two documents are duplicates.")
    bands: int | None = Field(default=14, ge=1, description="LSH bands; null with rows to let "
                              "datasketch choose for the threshold.")
    rows: int | None = Field(default=8, ge=1, description="MinHash values per LSH band.")
    false_negative_weight: float = Field(default=0.5, ge=0.0, le=1.0,
                                         description="Weight of missed pairs when datasketch "
                                                     "chooses the banding (false positives get 1 - it).")
    seed: int = Field(default=1, description="Seed of the MinHash permutations; never change it "
                                            "once an index exists, or old and new signatures differ.")
    verify_candidates: bool = Field(default=True, description="Compute the exact Jaccard of every "
                                    "LSH candidate pair and keep only pairs at the threshold or above.")
    max_bucket_size: int = Field(default=100, ge=2, description="LSH buckets up to this size yield "
                                 "every pair of members; larger ones (boilerplate pages) link each "
                                 "member to the first one only, so cost stays linear.")
    max_driver_bucket_documents: int = Field(
        default=1_000_000, ge=0, description="Up to this many documents (this batch's and the index's), "
        "LSH buckets are formed on the Spark driver by sorting each band's keys (one job); above it by a "
        "Spark shuffle of documents x bands rows (0: always Spark).")
    max_driver_component_edges: int = Field(
        default=1_000_000, ge=0, description="Up to this many verified pairs, clusters are found by "
        "union-find on the Spark driver (one job); above it by rounds of Spark joins (0: always Spark).")

    @model_validator(mode="after")
    def _check_banding(self) -> DedupSettings:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("set both bands and rows, or neither")
        bands, rows = self.banding()
        if bands * rows > self.num_perm:
            raise ValueError(f"bands x rows = {bands * rows} needs more than num_perm={self.num_perm} hashes")
        return self

    def banding(self) -> tuple[int, int]:
        """(bands, rows): as configured, or datasketch's optimum for the threshold and weights."""
        if self.bands is not None and self.rows is not None:
            return self.bands, self.rows
        from datasketch import MinHashLSH

        lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm,
                         weights=(1 - self.false_negative_weight, self.false_negative_weight))
        return lsh.b, lsh.r

    def candidate_probability(self, similarity: float) -> float:
        """Chance that LSH makes a pair of this Jaccard similarity a candidate."""
        bands, rows = self.banding()
        return 1 - (1 - similarity ** rows) ** bands
