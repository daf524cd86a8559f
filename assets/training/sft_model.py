"""`sft_model`: the pretrained model fine-tuned to follow instructions."""

import dagster as dg
from pydantic import Field

from flywheel.datasets import PRETRAINED_MODEL, SFT_MODEL
from flywheel.training.instructions import load_instructions
from flywheel.training.settings import TrainingSettings
from orchestration.inputs import current_or_fail, instruction_files
from orchestration.metadata import table
from orchestration.resources import StorageResource
from orchestration.settings import settings_of
from orchestration.training.config import FineTuningConfig
from orchestration.training.run import TrainingRequest, learned_spec, train_model


class SftConfig(FineTuningConfig):
    include_bundled_instructions: bool = Field(
        default=True, description="Also train on the bundled Python-docs instruction set.")
    include_safety_refusals: bool = Field(
        default=True, description="Also train on the bundled safety set: refusals of unsafe requests (per safety "
                                  "category, some in jailbreak wrappers) and helpful answers to look-alike prompts.")
    max_length: int = Field(default=256, ge=16, description="Tokens per example (prompt + response), truncated beyond.")


@dg.asset(key=SFT_MODEL, group_name="training", kinds={"deepspeed", "pytorch"}, deps=[PRETRAINED_MODEL],
          code_version="1", check_specs=[learned_spec(SFT_MODEL, "sft")])
def sft_model(context: dg.AssetExecutionContext, config: SftConfig, storage: StorageResource,
              pipes_subprocess_client: dg.PipesSubprocessClient):
    """Supervised fine-tuning of `pretrained_model` on instruction pairs: `prompt`/`response`
    JSONL files in `landing/instructions/*.jsonl` plus the bundled set (Python glossary and
    module documentation) and safety refusals. Examples are rendered with the tokenizer's chat
    template and the loss covers only response tokens. Invalid lines are listed in the metadata with file, line and
    reason. Same DeepSpeed engine, checkpointing and export as pretraining; held-out loss on
    prompts split off by a stable hash."""
    base = current_or_fail(storage, PRETRAINED_MODEL)
    files = instruction_files(storage, config.include_bundled_instructions, config.include_safety_refusals)
    if not files:
        raise dg.Failure("no instruction files: add prompt/response JSONL to landing/instructions/")
    examples = load_instructions(files, config.validation_fraction)
    if not examples.train or not examples.validation:
        raise dg.Failure(f"too few valid instruction examples ({len(examples.train)} train, "
                         f"{len(examples.validation)} validation; {len(examples.rejects)} rejected)")
    for reject in examples.rejects[:20]:
        context.log.warning(f"instruction rejected: {reject['file']} line {reject['line']}: {reject['reason']}")
    yield from train_model(context, storage, pipes_subprocess_client, TrainingRequest(
        asset=SFT_MODEL, objective="sft",
        inputs={PRETRAINED_MODEL: base["version"], "instructions": examples.version()},
        tokenizer_path=base["path"], init_model_path=base["path"], settings=settings_of(config, TrainingSettings),
        sequence_length=config.max_length, data_files={"train": examples.train, "validation": examples.validation}),
        metadata={"train_examples": len(examples.train), "validation_examples": len(examples.validation),
                  "rejected_lines": len(examples.rejects), "duplicate_examples": examples.duplicates,
                  "instruction_files": len(files),
                  "rejects": table(examples.rejects[:20], ["file", "line", "reason"])})
