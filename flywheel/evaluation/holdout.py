"""Which documents and prompts are kept out of every training split, decided once.

An item belongs to evaluation when its stable hash falls below a fraction. Every training asset
splits on the same hash (documents on `doc_id`, prompts on their whitespace-normalized text) and
holds out *at least* this fraction, so evaluation items are on the held-out side of every training
split by construction: pretraining's validation documents, SFT's validation prompts and
`reward_data`'s held-out prompts all contain them.
"""

from flywheel.stable_hash import in_validation

# Shares of documents and of prompts reserved for evaluation; training validation fractions are
# bounded below by these (see `TrainingConfig`, `PretrainingCorpusConfig`, `RewardDataConfig`).
DOCUMENT_FRACTION = 0.05
PROMPT_FRACTION = 0.1


def normalize(text: str) -> str:
    """Whitespace-normalized text: the key prompts are split on and compared by."""
    return " ".join(text.split())


def is_evaluation_document(doc_id: str) -> bool:
    return in_validation(doc_id, DOCUMENT_FRACTION)


def is_evaluation_prompt(prompt: str) -> bool:
    return in_validation(normalize(prompt), PROMPT_FRACTION)
