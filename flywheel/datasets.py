"""The name of every dataset and model Flywheel keeps, defined once.

Each name is at the same time the Dagster asset key, the lake folder (`lake/<name>/...`) or the
model-store folder (`models/<name>/...`), so code imports these constants instead of spelling
the strings.
"""

# Curation, one partition per crawl batch.
RAW_CRAWL = "raw_crawl"
RAW_CRAWL_REJECTED = "raw_crawl_rejected"
FILTERED_DOCS = "filtered_docs"
FILTERED_DOCS_REJECTED = "filtered_docs_rejected"
DEDUPLICATED_DOCS = "deduplicated_docs"
DEDUP_CLUSTERS = "dedup_clusters"
MINHASH_INDEX = "minhash_index"
QUALITY_SCORED_DOCS = "quality_scored_docs"
QUALITY_SCORED_DOCS_REJECTED = "quality_scored_docs_rejected"
QUALITY_CLASSIFIER = "quality_classifier"
SAFETY_CLASSIFIER = "safety_classifier"

# Curated datasets in pipeline order, each with the dataset whose rows it keeps a share of.
CURATED_FROM = {FILTERED_DOCS: RAW_CRAWL, DEDUPLICATED_DOCS: FILTERED_DOCS, QUALITY_SCORED_DOCS: DEDUPLICATED_DOCS}
CURATION_DATASETS = (RAW_CRAWL, *CURATED_FROM)

# Training.
TOKENIZER = "tokenizer"
PRETRAINING_CORPUS = "pretraining_corpus"
PRETRAINED_MODEL = "pretrained_model"
SFT_MODEL = "sft_model"

# Feedback and alignment.
FEEDBACK_EVENTS = "feedback_events"
FEEDBACK_EVENTS_REJECTED = "feedback_events_rejected"
REWARD_DATA = "reward_data"
REWARD_MODEL = "reward_model"
ALIGNED_MODEL = "aligned_model"

# Evaluation: the held-out sets (one versioned dataset, four assets), each model's per-item results,
# the candidate-vs-production evaluation and the `production` alias it moves.
EVALUATION_SETS = "evaluation_sets"
EVALUATION_DOCUMENTS = "evaluation_documents"
EVALUATION_PROMPTS = "evaluation_prompts"
EVALUATION_PREFERENCES = "evaluation_preferences"
REGRESSION_SET = "regression_set"
SAFETY_PROMPTS = "safety_prompts"
EVALUATION_SET_ASSETS = (EVALUATION_DOCUMENTS, EVALUATION_PROMPTS, EVALUATION_PREFERENCES, REGRESSION_SET,
                         SAFETY_PROMPTS)
MODEL_EVALUATION = "model_evaluation"
# What each curation stage does to a model trained on its output (an analysis; never on the sensor path).
CURATION_ABLATION = "curation_ablation"
PRODUCTION_MODEL = "production_model"
