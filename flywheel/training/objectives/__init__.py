"""What a run optimizes: its model, its data and its loss. The training loop is the same for all.

Each objective gives the loop: `build_model()`, `train` and `validation` example sets (with
`__len__` and `batch(indices)`), `loss(model, batch) -> loss` (a scalar tensor), and
`evaluate(model, batches) -> {name: value}` computed on micro-batches of one rank as sums (the
loop adds them over ranks) that `summarize(totals, split)` turns into named metrics.
`evaluates_train_split` asks the loop to also score a fixed sample of training batches at the end
(train accuracy next to held-out accuracy shows over- or under-fitting).
"""

from flywheel.training.objectives.causal_lm import CausalLM
from flywheel.training.objectives.dpo import DirectPreference
from flywheel.training.objectives.reward import PairwiseReward
from flywheel.training.spec import TrainingSpec

_OBJECTIVES = {"pretrain": CausalLM, "sft": CausalLM, "reward": PairwiseReward, "dpo": DirectPreference}


def objective_for(spec: TrainingSpec, tokenizer):
    return _OBJECTIVES[spec.objective](spec, tokenizer)
