"""The HTTP face of the server (FastAPI): OpenAI's chat-completions API, feedback capture, health,
stats for the canary controller, Prometheus metrics and the chat page.

    POST /v1/chat/completions   OpenAI-compatible, `stream` as server-sent events
    GET  /v1/models             chat_model (routed by the canary share), production, canary
    POST /v1/moderations        OpenAI-compatible moderation by the safety classifier
    POST /v1/feedback           a rating or a comparison of earlier answers, by completion id
    GET  /v1/stats              per-version counters (requests, failures, fallbacks, p95, ratings)
    GET  /health  /ready        alive; production model loaded
    GET  /metrics               Prometheus
    GET  /                      the chat page
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from flywheel.bundled import CHAT_PAGE
from flywheel.feedback.events import InvalidEvent
from flywheel.serving.answering import Answer, Answerer, ChatRequest, InvalidChat, Unavailable
from flywheel.serving.feedback_capture import MismatchedComparison, comparison_event, rating_event
from flywheel.serving.moderation import SAFETY
from flywheel.serving.response_store import AlreadyRated, UnknownResponse
from flywheel.serving.routing import CANARY, PRODUCTION
from flywheel.serving.schemas import ROUTED_MODEL, ChatCompletionRequest, FeedbackRequest, ModerationRequest
from flywheel.serving.server import Server

VERSION_HEADER = "x-flywheel-model-version"


def create_app(server: Server) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.to_thread(server.start)
        yield
        await asyncio.to_thread(server.stop)  # after uvicorn let in-flight requests finish

    app = FastAPI(title="Flywheel model server", lifespan=lifespan)
    answerer: Answerer = server.answerer

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, error: Unavailable) -> JSONResponse:
        return JSONResponse(_error(str(error), "unavailable"), status_code=503,
                            headers={"Retry-After": str(error.retry_after)})

    @app.exception_handler(InvalidChat)
    async def invalid(request: Request, error: InvalidChat) -> JSONResponse:
        return JSONResponse(_error(str(error), "invalid_request_error"), status_code=422)

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(CHAT_PAGE, media_type="text/html")

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> JSONResponse:
        ready = server.live.ready
        return JSONResponse({"ready": ready, "served": server.live.served()}, status_code=200 if ready else 503)

    @app.get("/v1/models")
    async def models() -> dict:
        served = server.live.served()
        names = [ROUTED_MODEL] * (PRODUCTION in served) + [a for a in (PRODUCTION, CANARY) if a in served]
        return {"object": "list", "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "flywheel",
             "version": served.get(name, served.get(PRODUCTION))} for name in names]}

    @app.get("/v1/stats")
    async def stats() -> dict:
        return {"served": server.live.served(), "canary_percent": server.live.canary_percent,
                "versions": server.telemetry.stats_snapshot(), "feedback": server.store.counts()}

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(server.telemetry.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/chat/completions")
    async def chat_completions(body: ChatCompletionRequest):
        request = _chat_request(body, server.settings.max_tokens_limit)
        created = int(time.time())
        if not body.stream:
            answer = await answerer.answer(request)
            return JSONResponse(_completion(answer, created), headers=_headers(answer))
        return await _stream(answerer, request, created)

    @app.post("/v1/moderations")
    async def moderations(body: ModerationRequest) -> dict:
        """OpenAI's moderation API over the safety classifier the server moderates with."""
        texts = [body.input] if isinstance(body.input, str) else body.input
        classifier = await asyncio.to_thread(lambda: server.safety_classifier)
        results = await asyncio.to_thread(classifier.classify, texts)
        return {"id": f"modr-{uuid.uuid4().hex}", "model": f"flywheel-safety-{classifier.version}",
                "results": [result.as_openai() for result in results]}

    @app.post("/v1/feedback")
    async def feedback(body: FeedbackRequest) -> dict:
        try:
            if body.response_id is not None:
                response = server.store.response(body.response_id)
                event = rating_event(response, body.rating, body.user)
                server.store.add_event(event)
                server.telemetry.rated(response.model_version, "up" if body.rating == 1 else "down")
                if body.rating == -1 and server.settings.moderation == SAFETY:
                    verdict = await asyncio.to_thread(server.safety_classifier.classify, [response.answer])
                    if verdict[0].flagged:
                        server.telemetry.flagged(response.model_version)
            else:
                chosen, rejected = server.store.response(body.chosen_id), server.store.response(body.rejected_id)
                event = comparison_event(chosen, rejected, body.user)
                server.store.add_event(event)
                server.telemetry.rated(chosen.model_version, "preferred")
                server.telemetry.rated(rejected.model_version, "not_preferred")
        except UnknownResponse as error:
            raise HTTPException(404, str(error)) from None
        except AlreadyRated as error:
            raise HTTPException(409, str(error)) from None
        except (MismatchedComparison, InvalidEvent) as error:  # e.g. an empty answer: nothing to learn from
            raise HTTPException(422, f"not usable as feedback: {error}") from None
        return {"event_id": event["event_id"], "status": "recorded"}

    return app


def _chat_request(body: ChatCompletionRequest, max_tokens_limit: int) -> ChatRequest:
    if body.model not in (ROUTED_MODEL, PRODUCTION, CANARY):
        raise HTTPException(404, f"model {body.model!r} is not served; use {ROUTED_MODEL} (routed), "
                                 f"{PRODUCTION} or {CANARY}")
    max_tokens = body.max_completion_tokens or body.max_tokens or 64
    if max_tokens > max_tokens_limit:
        raise HTTPException(422, f"max_tokens {max_tokens} is above this server's limit of {max_tokens_limit}")
    return ChatRequest(messages=[m.model_dump() for m in body.messages], max_tokens=max_tokens,
                       temperature=body.temperature, top_p=body.top_p, stop=body.stop_list(), user=body.user,
                       seed=body.seed, alias=None if body.model == ROUTED_MODEL else body.model)


async def _stream(answerer: Answerer, request: ChatRequest, created: int) -> Response:
    """Server-sent events. The response starts once the first piece of text is known, so its
    version header names the model that actually answers (after any fallback)."""
    pieces: asyncio.Queue[tuple[Answer, str] | None] = asyncio.Queue()

    async def on_delta(answer: Answer, text: str) -> None:
        await pieces.put((answer, text))

    task = asyncio.create_task(answerer.answer(request, on_delta))
    task.add_done_callback(lambda _: pieces.put_nowait(None))
    first = await pieces.get()
    if first is None:  # finished (or failed) without any text
        answer = task.result()  # raises Unavailable -> 503
        return StreamingResponse(_events([], answer, created, pieces=None), media_type="text/event-stream",
                                 headers=_headers(answer))
    return StreamingResponse(_events([first], first[0], created, pieces, task), media_type="text/event-stream",
                             headers=_headers(first[0]))


async def _events(first: list, answer: Answer, created: int, pieces: asyncio.Queue | None, task=None):
    def chunk(delta: dict, finish_reason: str | None = None) -> str:
        return "data: " + json.dumps({
            "id": answer.id, "object": "chat.completion.chunk", "created": created, "model": answer.ref,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}) + "\n\n"

    try:
        yield chunk({"role": "assistant", "content": ""})
        for _, text in first:
            yield chunk({"content": text})
        while pieces is not None and (item := await pieces.get()) is not None:
            yield chunk({"content": item[1]})
        if task is not None:
            answer = await task
        yield chunk({}, answer.finish_reason)
        yield "data: [DONE]\n\n"
    finally:
        if task is not None and not task.done():  # the client went away
            task.cancel()


def _completion(answer: Answer, created: int) -> dict:
    return {"id": answer.id, "object": "chat.completion", "created": created, "model": answer.ref,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text},
                         "finish_reason": answer.finish_reason}],
            "usage": {"prompt_tokens": answer.prompt_tokens, "completion_tokens": answer.completion_tokens,
                      "total_tokens": answer.prompt_tokens + answer.completion_tokens},
            "flywheel": {"alias": answer.alias, "version": answer.ref, "fallback": answer.fallback_from is not None,
                         "fallback_from": answer.fallback_from,
                         **({"moderation": answer.moderation} if answer.moderation else {})}}


def _headers(answer: Answer) -> dict[str, str]:
    return {VERSION_HEADER: answer.ref, "x-flywheel-alias": answer.alias,
            "x-flywheel-fallback": "true" if answer.fallback_from else "false"}


def _error(message: str, kind: str) -> dict:
    return {"error": {"message": message, "type": kind}}
