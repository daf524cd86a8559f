"""A Flywheel model as an lm-evaluation-harness `LM`: the three request types lm-eval tasks make,
answered by an exported Hugging Face causal LM on the local machine.

lm-eval's own `hf` model would do on a GPU box; this adapter exists because Flywheel's tiny models
have a short context and their own chat template, and because the evaluation needs the generation
time and token count for its tokens/s metric. Scoring follows lm-eval's conventions: rolling
log-likelihood over windows of the model's context where every token is predicted once
(`get_rolling_token_windows`), greedy generation cut at the first stop sequence.
"""

from __future__ import annotations

import time

import torch
from lm_eval.api.model import LM
from lm_eval.utils import get_rolling_token_windows, make_disjoint_window

from flywheel.training.tokenizer import TURN_END


class FlywheelLM(LM):
    def __init__(self, model_path: str, max_new_tokens: int = 64, batch_size: int = 16, threads: int | None = None,
                 quantize_int8: bool = False):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        super().__init__()
        if threads:
            torch.set_num_threads(threads)
        self.model_path = model_path
        self.tokenizer = AutoTokenizer.from_pretrained(model_path)
        self.model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32).eval()
        if quantize_int8:  # to measure what serving with int8 weights costs in quality
            from flywheel.quantization import quantize_int8 as quantize

            self.model = quantize(self.model)
        self.max_length = int(getattr(self.model.config, "max_position_embeddings", 0)
                              or getattr(self.model.config, "n_positions"))
        self.max_new_tokens, self.batch_size = max_new_tokens, batch_size
        self.generated_tokens, self.generation_seconds = 0, 0.0

    # What lm-eval's chat templating asks of a model.

    @property
    def tokenizer_name(self) -> str:
        return self.model_path

    def chat_template(self, chat_template: bool | str = False) -> str:
        return self.tokenizer.chat_template

    def apply_chat_template(self, chat_history: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        return self.tokenizer.apply_chat_template(chat_history, tokenize=False,
                                                  add_generation_prompt=add_generation_prompt)

    # The three request types.

    @torch.no_grad()
    def loglikelihood_rolling(self, requests) -> list[float]:
        """Every document's windows, scored `batch_size` windows at a time across documents."""
        owners, windows = [], []  # the request each (context, target) window belongs to
        for index, request in enumerate(requests):
            for window in get_rolling_token_windows(self._encode(request.args[0]), self.tokenizer.bos_token_id,
                                                    self.max_length, context_len=1):
                owners.append(index)
                windows.append(make_disjoint_window(window))
        totals = [0.0] * len(requests)
        for index, (score, _) in zip(owners, self._score(windows)):
            totals[index] += score
        return totals

    @torch.no_grad()
    def loglikelihood(self, requests) -> list[tuple[float, bool]]:
        pairs = []
        for request in requests:
            context, continuation = request.args
            target = self._encode(continuation)[-self.max_length:]
            context_ids = self._encode(context) or [self.tokenizer.bos_token_id]
            pairs.append((context_ids[-(self.max_length + 1 - len(target)):], target))
        return self._score(pairs)

    @torch.no_grad()
    def generate_until(self, requests) -> list[str]:
        """Greedy answers, `batch_size` prompts at a time (left-padded, so every row's answer starts
        at the same position)."""
        answers: list[str | None] = [None] * len(requests)
        for start in range(0, len(requests), self.batch_size):
            chunk = list(enumerate(requests))[start:start + self.batch_size]
            for index, answer in zip([i for i, _ in chunk], self._generate([r.args for _, r in chunk])):
                answers[index] = answer
        return answers

    def _generate(self, batch: list[tuple[str, dict]]) -> list[str]:
        max_new = max(int(kwargs.get("max_gen_toks", self.max_new_tokens)) for _, kwargs in batch)
        prompts = [self._encode(context)[-(self.max_length - max_new):] for context, _ in batch]
        width = max(len(p) for p in prompts)
        input_ids = torch.full((len(prompts), width), self.tokenizer.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            input_ids[row, width - len(prompt):] = torch.tensor(prompt)
            attention_mask[row, width - len(prompt):] = 1
        end = self.tokenizer.convert_tokens_to_ids(TURN_END)
        started = time.perf_counter()
        output = self.model.generate(input_ids, attention_mask=attention_mask, max_new_tokens=max_new,
                                     do_sample=False, eos_token_id=end, pad_token_id=self.tokenizer.pad_token_id)
        self.generation_seconds += time.perf_counter() - started
        answers = []
        for row, (_, kwargs) in enumerate(batch):
            new_tokens = output[row, width:].tolist()
            new_tokens = new_tokens[: new_tokens.index(end)] if end in new_tokens else new_tokens
            self.generated_tokens += len(new_tokens)
            until = [s for s in (kwargs.get("until") or []) if s]
            answers.append(_cut(self.tokenizer.decode(new_tokens, skip_special_tokens=False), until).strip())
        return answers

    def _encode(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _score(self, pairs: list[tuple[list[int], list[int]]]) -> list[tuple[float, bool]]:
        """Per (context, target) pair: the sum of log p(target | context), and whether greedy
        decoding would give exactly the target; `batch_size` pairs a forward pass."""
        return [result for start in range(0, len(pairs), self.batch_size)
                for result in self._score_batch(pairs[start:start + self.batch_size])]

    def _score_batch(self, pairs: list[tuple[list[int], list[int]]]) -> list[tuple[float, bool]]:
        """`_score` of pairs right-padded into one batch."""
        rows = [(context + target)[:-1] for context, target in pairs]
        width = max(len(row) for row in rows)
        input_ids = torch.full((len(rows), width), self.tokenizer.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            input_ids[i, : len(row)] = torch.tensor(row)
            attention_mask[i, : len(row)] = 1
        logprobs = torch.log_softmax(self.model(input_ids=input_ids, attention_mask=attention_mask).logits.float(), -1)
        results = []
        for i, (context, target) in enumerate(pairs):
            positions = torch.arange(len(context) - 1, len(context) - 1 + len(target))
            expected = torch.tensor(target)
            results.append((float(logprobs[i, positions, expected].sum()),
                            bool((logprobs[i, positions].argmax(-1) == expected).all())))
        return results


def _cut(text: str, stops: list[str]) -> str:
    positions = [text.find(stop) for stop in stops if stop in text]
    return text[: min(positions)] if positions else text
