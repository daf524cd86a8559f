"""The final model in Hugging Face format (`from_pretrained` loads it) with its tokenizer, the
generation settings the chat template needs, and a record of the data and config it came from."""

from __future__ import annotations

import json
from pathlib import Path

from flywheel.training.tokenizer import END_OF_TEXT, TURN_END

RECORD = "flywheel_record.json"
SUMMARY = "training_summary.json"  # written by the loop after export


def export_model(engine, tokenizer, out_dir: Path, rank: int, record: dict) -> None:
    """Gather the full weights (ZeRO-3 shards them across ranks; a no-op for stages 0-2) and save
    them from rank 0."""
    import deepspeed
    import torch.distributed as dist

    module = engine.module
    with deepspeed.zero.GatheredParameters(list(module.parameters()), modifier_rank=None):
        if rank == 0:
            out_dir.mkdir(parents=True, exist_ok=True)
            state = {name: tensor.detach().cpu().clone() for name, tensor in module.state_dict().items()}
            module.config.use_cache = True
            if getattr(module, "generation_config", None) is not None:
                stop = [tokenizer.convert_tokens_to_ids(t) for t in (END_OF_TEXT, TURN_END)]
                module.generation_config.eos_token_id = stop
                module.generation_config.pad_token_id = tokenizer.pad_token_id
            module.save_pretrained(str(out_dir), state_dict=state, safe_serialization=True)
            tokenizer.save_pretrained(str(out_dir))
            (out_dir / RECORD).write_text(json.dumps(record, indent=2, default=str))
    dist.barrier()
