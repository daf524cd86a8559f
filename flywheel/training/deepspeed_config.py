"""The DeepSpeed config dict for a run's settings."""

from __future__ import annotations

from flywheel.training.settings import TrainingSettings


def deepspeed_config(settings: TrainingSettings) -> dict:
    engine = settings.engine
    zero: dict = {"stage": engine.zero_stage}
    if engine.offload_optimizer:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": False}
    if engine.zero_stage == 3:
        # Export gathers the full weights itself (see export.py); no 16-bit copy at save time.
        zero["stage3_gather_16bit_weights_on_model_save"] = False
    return {
        "train_micro_batch_size_per_gpu": settings.micro_batch_size,
        "gradient_accumulation_steps": settings.gradient_accumulation_steps,
        "gradient_clipping": settings.grad_clip,
        "zero_optimization": zero,
        "bf16": {"enabled": engine.precision == "bf16"},
        "fp16": {"enabled": engine.precision == "fp16", "initial_scale_power": 16},
        # A torch AdamW is passed in (no fused-op build); DeepSpeed otherwise insists on its own
        # CPU Adam when offloading, which compiles for minutes on first use.
        "zero_force_ds_cpu_optimizer": False,
        "zero_allow_untested_optimizer": True,
        "steps_per_print": 10**9,  # Flywheel reports metrics itself
        "wall_clock_breakdown": False,
        "seed": settings.seed,
    }
