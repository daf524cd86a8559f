"""One chat request from arrival to stored answer: route it (sticky canary share), moderate the
input, ask the chosen model under a deadline, fail over to the fallback when the model errors, is
too slow or has its breaker open, moderate the output, measure it, and remember the answer so the
user can rate it.

A streamed answer commits to a model at its first piece of text: until then a failure still fails
over; after it, the pieces already sent cannot be taken back, so a later failure ends the stream
with an error. With a moderator configured, streamed text is held until the whole answer passed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from flywheel.serving.batcher import ModelClosed, QueueFull, TextEvent
from flywheel.serving.generation import GenerationRequest
from flywheel.serving.live_models import LiveModels, ServedModel
from flywheel.serving.moderation import AllowAll, ModerationResult, Moderator
from flywheel.serving.response_store import ResponseStore, StoredResponse
from flywheel.serving.routing import CANARY, PRODUCTION, choose_alias
from flywheel.serving.telemetry import Telemetry

CONTENT_FILTER = "content_filter"
REFUSAL = "I can't help with that."


class Unavailable(RuntimeError):
    """No model could answer; `retry_after` seconds is a fair wait."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidChat(ValueError):
    """A request the models cannot answer as asked."""


@dataclass
class ChatRequest:
    messages: list[dict]
    max_tokens: int = 64
    temperature: float = 0.0
    top_p: float = 1.0
    stop: list[str] = field(default_factory=list)
    user: str | None = None
    seed: int | None = None
    alias: str | None = None  # None: route by the canary share


@dataclass
class Answer:
    id: str
    alias: str
    ref: str
    text: str = ""
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    fallback_from: str | None = None  # the version that failed, when the fallback answered
    error: str | None = None  # a failure after streaming began
    moderation: dict | None = None  # what the moderation hook blocked: stage, categories, scores


OnDelta = Callable[[Answer, str], Awaitable[None]]


class _AttemptFailed(Exception):
    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status


class Answerer:
    def __init__(self, live: LiveModels, telemetry: Telemetry, store: ResponseStore, deadline_s: float,
                 moderator: Moderator | None = None) -> None:
        self.live, self.telemetry, self.store, self.deadline_s = live, telemetry, store, deadline_s
        self.moderator = moderator or AllowAll()
        self.buffer_streams = not isinstance(self.moderator, AllowAll)

    async def answer(self, request: ChatRequest, on_delta: OnDelta | None = None) -> Answer:
        if not request.messages or request.messages[-1].get("role") != "user":
            raise InvalidChat("the last message must be the user's")
        arrived = time.perf_counter()
        answer_id = f"chatcmpl-{uuid.uuid4().hex}"
        alias = request.alias or choose_alias(request.user or answer_id, self.live.canary_percent,
                                              self.live.get(CANARY) is not None)
        chosen = self.live.get(alias)
        if chosen is None:
            raise Unavailable(f"no {alias} model is loaded" if alias != PRODUCTION else "no model is loaded yet", 5)
        self.telemetry.chosen(chosen.ref)
        answer = Answer(answer_id, alias, chosen.ref)
        if (verdict := self.moderator.check_input(request.messages)).flagged:
            return await self._refused(answer, "input", verdict, on_delta)
        stream = None if self.buffer_streams else on_delta
        try:
            await self._attempt(answer, alias, chosen, request, stream, arrived)
        except _AttemptFailed as failure:
            backup = self.live.fallback_for(alias)
            self.telemetry.failed_over(alias, chosen.ref, failure.status)
            if backup is None:
                raise Unavailable(f"{chosen.ref} failed ({failure}) and no fallback model is loaded") from None
            backup_alias, backup_model = backup
            answer = Answer(answer_id, backup_alias, backup_model.ref, fallback_from=chosen.ref)
            try:
                await self._attempt(answer, backup_alias, backup_model, request, stream, arrived,
                                    chosen_ref=chosen.ref)
            except _AttemptFailed as second:
                raise Unavailable(f"{chosen.ref} failed ({failure}); fallback {backup_model.ref} failed too "
                                  f"({second})") from None
        if (verdict := self.moderator.check_output(answer.text)).flagged:
            return await self._refused(answer, "output", verdict, on_delta)
        if on_delta and self.buffer_streams and answer.text:
            await on_delta(answer, answer.text)
        if answer.error is None:
            self._remember(answer, request)
        return answer

    async def _attempt(self, answer: Answer, alias: str, served: ServedModel, request: ChatRequest,
                       on_delta: OnDelta | None, arrived: float, chosen_ref: str | None = None) -> None:
        if not served.breaker.allow():
            self.telemetry.attempt("breaker_open", alias, served.ref)
            raise _AttemptFailed("breaker_open", f"{served.ref}'s circuit breaker is open")
        events: asyncio.Queue[TextEvent] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        while True:
            prompt_ids = served.model.prompt_ids(request.messages)
            generation = GenerationRequest(prompt_ids, request.max_tokens, request.temperature, request.top_p,
                                           request.stop, request.seed)
            try:
                ticket = served.batcher.submit(generation, lambda e: loop.call_soon_threadsafe(events.put_nowait, e))
                break
            except QueueFull as error:
                self.telemetry.attempt("queue_full", alias, served.ref)
                raise Unavailable(f"{served.ref} is at capacity: {error}", retry_after=1) from None
            except ModelClosed as error:  # swapped out since routing: ask the alias's new version
                current = self.live.get(alias)
                if current is None or current is served:
                    raise _AttemptFailed("draining", str(error)) from None
                served, answer.ref = current, current.ref
        deadline = time.perf_counter() + self.deadline_s  # each attempt, the fallback's too, gets the full deadline
        first_at = last_at = None
        gaps = []
        try:
            while answer.finish_reason is None:
                timeout = deadline - time.perf_counter()
                event = await asyncio.wait_for(events.get(), timeout) if timeout > 0 else None
                if event is None:
                    raise TimeoutError
                if event.error:
                    raise _AttemptFailed("error", event.error)
                now = time.perf_counter()
                if event.text:
                    if first_at is None:
                        first_at = now
                    else:
                        gaps.append(now - last_at)
                    last_at = now
                answer.text += event.text
                answer.finish_reason, answer.completion_tokens = event.finish_reason, event.tokens
                if on_delta and event.text:
                    await on_delta(answer, event.text)
        except (TimeoutError, _AttemptFailed) as failure:
            ticket.cancel()
            status = getattr(failure, "status", "timeout")
            self.telemetry.attempt(status, alias, served.ref)
            served.breaker.record_failure()
            if first_at is not None and on_delta:  # text already reached the user: end the stream instead
                answer.finish_reason, answer.error = "error", str(failure) or "deadline exceeded"
                return
            raise _AttemptFailed(status, str(failure) or f"no answer within {self.deadline_s:g}s") from None
        except asyncio.CancelledError:  # the client went away
            ticket.cancel()
            raise
        served.breaker.record_success()
        self.telemetry.attempt("ok", alias, served.ref)
        answer.prompt_tokens = len(prompt_ids)
        self.telemetry.answered(alias, served.ref, chosen_ref or served.ref, time.perf_counter() - arrived,
                                None if first_at is None else first_at - arrived, gaps, answer.prompt_tokens,
                                answer.completion_tokens)

    async def _refused(self, answer: Answer, stage: str, verdict: ModerationResult,
                       on_delta: OnDelta | None) -> Answer:
        """The moderation hook blocked the input or the answer: a refusal, not kept for rating."""
        categories = list(verdict.categories) or ([verdict.category] if verdict.category else [])
        self.telemetry.moderated(stage, answer.ref, categories)
        answer.text, answer.finish_reason = REFUSAL, CONTENT_FILTER
        answer.moderation = {"stage": stage, "categories": categories, "category_scores": verdict.category_scores}
        if on_delta:
            await on_delta(answer, REFUSAL)
        return answer

    def _remember(self, answer: Answer, request: ChatRequest) -> None:
        self.store.add_response(StoredResponse(
            id=answer.id, created=time.time(), prompt=request.messages[-1]["content"], answer=answer.text,
            model_version=answer.ref, user_id=request.user, conversation=request.messages[:-1] or None))
