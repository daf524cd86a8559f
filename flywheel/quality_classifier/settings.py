"""What the quality classifier is trained on and how, and where the keep threshold falls."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from flywheel.bundled import REFERENCE_PROSE, SPAM_HOLDOUT


class FastTextParams(BaseModel):
    """fastText supervised settings. DCLM keeps fastText's defaults except word bigrams; the
    defaults here differ where a laptop-sized corpus needs it (more epochs, fewer hash buckets)."""

    word_ngrams: int = Field(default=2, ge=1, le=5, description="1 = unigrams; 2 = + bigrams (DCLM).")
    dim: int = Field(default=100, ge=8, le=1000, description="Embedding size.")
    epoch: int = Field(default=50, ge=1, le=500,
                       description="Passes over the data: 50 for the laptop sample's few hundred "
                                   "examples; fastText's default 5 suits millions (DCLM).")
    lr: float = Field(default=0.1, gt=0.0, le=5.0, description="Learning rate (fastText `-lr`).")
    min_count: int = Field(default=1, ge=1, description="Words seen fewer times are ignored (`-minCount`).")
    bucket: int = Field(default=100_000, ge=1_000,
                        description="Hash buckets for word n-grams; the model file is ~bucket x dim x 4 bytes.")
    threads: int = Field(default=1, ge=1, description="1 keeps training deterministic for a given seed.")
    seed: int = Field(default=0, description="fastText's random seed (`-seed`).")
    minn: int = Field(default=0, ge=0, le=10, description="Shortest character n-gram (0: none).")
    maxn: int = Field(default=0, ge=0, le=10, description="Longest character n-gram; subwords let a small "
                                                          "labelled set generalize to unseen word forms.")


class ClassifierSettings(BaseModel):
    reference_path: str = Field(default=str(REFERENCE_PROSE),
                                description="JSONL(.gz) of high-quality documents (`text`, `id`): the positives.")
    negative_documents: int = Field(default=20_000, ge=10,
                                    description="Documents sampled from filtered_docs as negatives.")
    words_per_example: int = Field(default=256, ge=16,
                                   description="Training examples are passages of this many words.")
    max_words: int | None = Field(default=None, ge=16,
                                  description="Only the first N words of a document are scored (None = all).")
    heldout_fraction: float = Field(default=0.2, gt=0.0, lt=0.9,
                                    description="Share of documents of each class held out for evaluation.")
    keep_top_fraction: float | None = Field(
        default=0.3, gt=0.0, le=1.0,
        description="Keep threshold = the score above which this share of the sampled crawl "
                    "documents falls (DCLM keeps its top 10% of a web crawl).")
    min_score: float | None = Field(default=None, ge=0.0, le=1.0,
                                    description="A fixed keep threshold instead of keep_top_fraction.")
    external_check_path: str | None = Field(
        default=str(SPAM_HOLDOUT),
        description="JSONL(.gz) with `text` and `label` (ham/spam) never used in training: ROC-AUC reported.")
    fasttext: FastTextParams = FastTextParams()
    sample_seed: int = Field(default=0, description="Seeds which crawl documents are sampled as examples.")

    @model_validator(mode="after")
    def _one_threshold_rule(self) -> ClassifierSettings:
        if (self.keep_top_fraction is None) == (self.min_score is None):
            raise ValueError("set exactly one of keep_top_fraction and min_score")
        return self
