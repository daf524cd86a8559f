"""`tokenizer`: byte-level BPE learned from the curated corpus."""

import hashlib
import itertools
import json
import tempfile
from pathlib import Path

import dagster as dg

from flywheel.datasets import TOKENIZER
from flywheel.training.tokenizer import SPECIAL_TOKENS, TokenizerSettings, train_tokenizer
from orchestration.metadata import path_value
from orchestration.resources import StorageResource
from orchestration.settings import config_class, settings_of
from orchestration.training.corpus import SOURCE, curated_documents, curated_partitions

SAMPLE_DOCUMENTS = 200


class TokenizerConfig(config_class(TokenizerSettings)):
    """Vocabulary size and how much text the merges are learned from."""


@dg.asset(key=TOKENIZER, group_name="training", kinds={"huggingface"}, deps=[SOURCE], code_version="1")
def tokenizer(context: dg.AssetExecutionContext, config: TokenizerConfig,
              storage: StorageResource) -> dg.MaterializeResult:
    """Byte-level BPE (GPT-2's scheme: no unknown characters) trained with Hugging Face
    `tokenizers` on the kept documents of every `quality_scored_docs` partition, with special
    tokens `<|endoftext|>` (document separator), `<|pad|>`, `<|im_start|>`/`<|im_end|>` and a
    ChatML chat template. Saved under `models/tokenizer/<version>/`, where
    `AutoTokenizer.from_pretrained` loads it; the version hashes the text and settings."""
    settings = settings_of(config, TokenizerSettings)
    lake = storage.lake()
    partitions = curated_partitions(lake)
    digest = hashlib.sha256(settings.model_dump_json().encode())
    counts = {"documents": 0, "characters": 0}
    sample: list[str] = []  # the first documents, kept for the compression figure

    def texts():
        for _, text in itertools.islice(curated_documents(lake, partitions), settings.max_documents):
            digest.update(text.encode())
            counts["documents"] += 1
            counts["characters"] += len(text)
            if len(sample) < SAMPLE_DOCUMENTS:
                sample.append(text)
            yield text

    with tempfile.TemporaryDirectory() as workdir:
        trained = train_tokenizer(texts(), settings, Path(workdir))
        version = digest.hexdigest()[:16]
        store = storage.models()
        path = store.publish(Path(workdir), TOKENIZER, version)
    store.set_current(TOKENIZER, version, {"path": path, "source_partitions": partitions, **counts})
    sample_tokens = sum(len(ids) for ids in trained(sample, add_special_tokens=False)["input_ids"])
    example = sample[0][:200]
    context.log.info(f"Tokenizer {version}: {len(trained)} tokens learned from {counts['documents']} documents")
    return dg.MaterializeResult(data_version=dg.DataVersion(version), metadata={
        "version": version, "vocab_size": len(trained), "documents": counts["documents"],
        "characters": counts["characters"], "source_partitions": json.dumps(partitions),
        "special_tokens": ", ".join(SPECIAL_TOKENS),
        "characters_per_token": round(sum(map(len, sample)) / max(1, sample_tokens), 2),
        "example_tokens": " | ".join(trained.convert_ids_to_tokens(trained(example)["input_ids"])),
        "path": path_value(store.url(path)),
    })
