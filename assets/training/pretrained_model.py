"""`pretrained_model`: a causal LM pretrained from scratch on the packed corpus with DeepSpeed."""

import dagster as dg

from flywheel.datasets import PRETRAINED_MODEL, PRETRAINING_CORPUS, TOKENIZER
from flywheel.training.settings import TrainingSettings
from orchestration.inputs import current_or_fail
from orchestration.resources import StorageResource
from orchestration.settings import settings_of
from orchestration.training.config import PretrainingConfig
from orchestration.training.run import TrainingRequest, learned_spec, train_model


@dg.asset(key=PRETRAINED_MODEL, group_name="training", kinds={"deepspeed", "pytorch"},
          deps=[PRETRAINING_CORPUS, TOKENIZER], code_version="1",
          check_specs=[learned_spec(PRETRAINED_MODEL, "pretrain")])
def pretrained_model(context: dg.AssetExecutionContext, config: PretrainingConfig, storage: StorageResource,
                     pipes_subprocess_client: dg.PipesSubprocessClient):
    """A Llama-architecture causal LM built from the `preset` (no download) and pretrained on
    `pretraining_corpus` by a DeepSpeed ZeRO engine in its own process(es), launched through
    Dagster Pipes. Checkpoints every `checkpoint_every` steps; a failed or retried run resumes
    from its newest checkpoint. Exported in Hugging Face format with its tokenizer under
    `models/pretrained_model/<version>/` (`AutoModelForCausalLM.from_pretrained` loads it).
    Metadata: loss curve, validation loss and perplexity, tokens seen, tokens/s and MFU. Becomes current
    only if its held-out loss fell (blocking check `learned`)."""
    corpus = current_or_fail(storage, PRETRAINING_CORPUS, versioned_dataset=True)
    tokenizer = current_or_fail(storage, TOKENIZER)
    yield from train_model(context, storage, pipes_subprocess_client, TrainingRequest(
        asset=PRETRAINED_MODEL, objective="pretrain",
        inputs={PRETRAINING_CORPUS: corpus["version"], TOKENIZER: tokenizer["version"]},
        tokenizer_path=tokenizer["path"], settings=settings_of(config, TrainingSettings),
        sequence_length=corpus["manifest"]["sequence_length"], preset=config.preset,
        data={"corpus_dir": corpus["path"]}))
