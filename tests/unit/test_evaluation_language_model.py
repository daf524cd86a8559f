"""The lm-eval adapter on a tiny random model: its scores are the model's own log-probabilities,
and batching changes nothing."""

import torch
from lm_eval.api.instance import Instance

from flywheel.evaluation.language_model import FlywheelLM

TEXT = "The json module encodes and decodes JSON documents. " * 30  # longer than the 128-token context


def _requests(kind: str, args: list[tuple]) -> list[Instance]:
    return [Instance(request_type=kind, doc={}, arguments=a, idx=i) for i, a in enumerate(args)]


def test_rolling_loglikelihood_is_the_models_own_for_short_and_long_texts(model_dir):
    lm = FlywheelLM(str(model_dir), batch_size=3)
    short = "The json module."
    tokens = lm._encode(short)
    with torch.no_grad():
        logits = lm.model(input_ids=torch.tensor([[lm.tokenizer.bos_token_id] + tokens[:-1]])).logits[0]
    expected = float(torch.log_softmax(logits, -1)[torch.arange(len(tokens)), torch.tensor(tokens)].sum())
    batched = lm.loglikelihood_rolling(_requests("loglikelihood_rolling", [(short,), (TEXT,), (TEXT[:300],)]))
    assert abs(batched[0] - expected) < 1e-3
    lm.batch_size = 1
    one_at_a_time = lm.loglikelihood_rolling(_requests("loglikelihood_rolling", [(short,), (TEXT,), (TEXT[:300],)]))
    assert max(abs(a - b) for a, b in zip(batched, one_at_a_time)) < 1e-3
    assert len(lm._encode(TEXT)) > lm.max_length and batched[1] < batched[2] < 0


def test_batched_greedy_answers_equal_one_at_a_time_and_stop_where_asked(model_dir):
    lm = FlywheelLM(str(model_dir), batch_size=4)
    prompts = [lm.apply_chat_template([{"role": "user", "content": f"What is module {n}?"}]) for n in range(5)]
    args = [(p, {"until": ["<|im_end|>"], "max_gen_toks": 12}) for p in prompts]
    batched = lm.generate_until(_requests("generate_until", args))
    lm.batch_size = 1
    assert lm.generate_until(_requests("generate_until", args)) == batched
    assert lm.generated_tokens > 0 and lm.generation_seconds > 0
    first_word = batched[0].split()[0] if batched[0].split() else None
    if first_word:  # a stop sequence cuts the answer before it
        cut = lm.generate_until(_requests("generate_until", [(prompts[0], {"until": [first_word],
                                                                            "max_gen_toks": 12})]))
        assert first_word not in cut[0]


def test_loglikelihood_of_a_continuation_is_the_models_own(model_dir):
    lm = FlywheelLM(str(model_dir), batch_size=2)
    context, continuation = lm._encode("The json"), lm._encode(" module encodes.")
    with torch.no_grad():
        logits = lm.model(input_ids=torch.tensor([(context + continuation)[:-1]])).logits[0, -len(continuation):]
    logprobs = torch.log_softmax(logits, -1)
    expected = float(logprobs[torch.arange(len(continuation)), torch.tensor(continuation)].sum())
    greedy = bool((logprobs.argmax(-1) == torch.tensor(continuation)).all())
    args = [("The json", " module encodes."), ("", "Hello"), ("The json", " module encodes.")]
    batched = lm.loglikelihood(_requests("loglikelihood", args))
    assert abs(batched[0][0] - expected) < 1e-3 and batched[0][1] == greedy
    lm.batch_size = 1
    one_at_a_time = lm.loglikelihood(_requests("loglikelihood", args))
    assert all(abs(a[0] - b[0]) < 1e-3 and a[1] == b[1] for a, b in zip(batched, one_at_a_time))
