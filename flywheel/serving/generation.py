"""Batched text generation with a KV cache, one decoding step for every row of the batch at once.

Each request brings its own sampling settings (temperature, top-p, max tokens, stop strings), so
this is a small decoding loop rather than one `model.generate` call (which takes one setting for a
whole batch). Prompts are left-padded, so every row's next token sits in the last column; position
ids follow each row's own length. A row that finishes keeps its place in the batch, fed padding,
until the longest row is done. Text is handed out as it is decoded, held back only while it could
still be the beginning of a stop string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from flywheel.quantization import quantize_int8 as quantize_int8_model
from flywheel.training.tokenizer import TURN_END

STOP, LENGTH = "stop", "length"  # OpenAI's finish reasons


@dataclass
class GenerationRequest:
    prompt_ids: list[int]
    max_new_tokens: int = 64
    temperature: float = 0.0  # 0: greedy
    top_p: float = 1.0
    stop: list[str] = field(default_factory=list)
    seed: int | None = None


@dataclass
class Completion:
    text: str = ""
    tokens: int = 0
    finish_reason: str | None = None


# (row, text delta, finish reason or None, tokens generated so far); called from the generating thread.
OnText = Callable[[int, str, str | None, int], None]


class ChatModel:
    """An exported chat model and its tokenizer, ready to answer."""

    def __init__(self, path: str, quantize_int8: bool = False) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.path = path
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
        self.model = quantize_int8_model(model) if quantize_int8 else model
        self.quantized = quantize_int8
        self.context_length = int(model.config.max_position_embeddings)
        self.turn_end = self.tokenizer.convert_tokens_to_ids(TURN_END)
        self.stop_ids = {self.turn_end, self.tokenizer.eos_token_id}

    def prompt_ids(self, messages: list[dict]) -> list[int]:
        """The chat template as trained: ChatML turns, then the assistant's turn opened."""
        return self.tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=True,
                                                  return_dict=False)

    @torch.no_grad()
    def generate(self, requests: list[GenerationRequest], on_text: OnText | None = None) -> list[Completion]:
        rows = len(requests)
        budget = [min(r.max_new_tokens, self.context_length - 1) for r in requests]
        prompts = [r.prompt_ids[-(self.context_length - b):] for r, b in zip(requests, budget)]
        width = max(len(p) for p in prompts)
        input_ids = torch.full((rows, width), self.tokenizer.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((rows, width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            input_ids[row, width - len(prompt):] = torch.tensor(prompt)
            attention_mask[row, width - len(prompt):] = 1
        steps = min(max(budget), self.context_length - width)
        samplers = [_Sampler(r) for r in requests]
        decoders = [_StreamingText(self.tokenizer, r.stop) for r in requests]
        results = [Completion() for _ in requests]
        tokens: list[list[int]] = [[] for _ in requests]
        position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)
        cache = None
        for step in range(max(steps, 1)):
            output = self.model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                                cache=cache, use_cache=True, logits_to_keep=1)
            cache, logits = output.cache, output.logits[:, -1, :].float()
            next_ids = []
            for row in range(rows):
                result = results[row]
                if result.finish_reason:
                    next_ids.append(self.tokenizer.pad_token_id)
                    continue
                token = samplers[row].next(logits[row])
                next_ids.append(token)
                if token in self.stop_ids:
                    result.finish_reason = STOP
                else:
                    tokens[row].append(token)
                    result.tokens += 1
                    if result.tokens >= budget[row] or step == steps - 1:
                        result.finish_reason = LENGTH
                delta, stopped = decoders[row].feed(tokens[row], final=result.finish_reason is not None)
                if stopped:
                    result.finish_reason = STOP
                result.text += delta
                if on_text and (delta or result.finish_reason):
                    on_text(row, delta, result.finish_reason, result.tokens)
            if all(r.finish_reason for r in results):
                break
            input_ids = torch.tensor(next_ids, dtype=torch.long)[:, None]
            attention_mask = torch.cat([attention_mask, torch.ones((rows, 1), dtype=torch.long)], dim=1)
            position_ids = attention_mask.sum(-1, keepdim=True) - 1
        return results


class _Sampler:
    """One request's next-token choice: greedy at temperature 0, else top-p sampling."""

    def __init__(self, request: GenerationRequest) -> None:
        self.temperature, self.top_p = request.temperature, request.top_p
        self.generator = torch.Generator()
        if request.seed is not None:
            self.generator.manual_seed(request.seed)
        else:
            self.generator.seed()

    def next(self, logits: torch.Tensor) -> int:
        if self.temperature <= 0:
            return int(logits.argmax())
        probs = torch.softmax(logits / self.temperature, dim=-1)
        if self.top_p < 1.0:
            sorted_probs, order = probs.sort(descending=True)
            # Keep the smallest set of tokens whose probability reaches top_p (the first always stays).
            outside = sorted_probs.cumsum(-1) - sorted_probs >= self.top_p
            sorted_probs[outside] = 0.0
            probs = torch.zeros_like(probs).scatter(0, order, sorted_probs)
        return int(torch.multinomial(probs, 1, generator=self.generator))


class _StreamingText:
    """Decoded text handed out in pieces: a piece is released once no stop string can still begin
    in it, and generation ends at the first stop string (which is not part of the answer)."""

    def __init__(self, tokenizer, stop: list[str]) -> None:
        self.tokenizer, self.stop = tokenizer, [s for s in stop if s]
        self.hold = max((len(s) for s in self.stop), default=1) - 1
        self.sent = 0

    def feed(self, tokens: list[int], final: bool) -> tuple[str, bool]:
        text = self.tokenizer.decode(tokens, skip_special_tokens=True)
        cut = min((text.find(s) for s in self.stop if s in text), default=-1)
        if cut >= 0:
            text, final, stopped = text[:cut], True, True
        else:
            stopped = False
        # A partly decoded multi-byte character shows as U+FFFD until its last byte arrives.
        end = len(text) if final else max(self.sent, len(text.rstrip("\ufffd")) - self.hold)
        delta, self.sent = text[self.sent:end], max(self.sent, end)
        return delta, stopped
