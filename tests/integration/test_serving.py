"""The model server over real HTTP: the OpenAI client, canary routing, fallback and the circuit
breaker under injected faults, the queue bound, hot swaps under load, feedback capture, metrics."""

import asyncio

import httpx
import openai

from flywheel.feedback.events import parse_event
from flywheel.serving.answering import REFUSAL
from flywheel.serving.settings import BreakerSettings, FaultInjection
from tests.conftest import with_safety_classifier
from tests.integration.serving_fixtures import (
    V1,
    V2,
    KeywordModerator,
    chat,
    publish_broken,
    registry,
    running,
    wait_until,
)

__all__ = ["registry"]  # the fixture


def test_the_openai_client_works_unchanged_plain_and_streaming(home, registry):
    with running(home) as (url, server):
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused")
        assert [m.id for m in client.models.list().data] == ["chat_model", "production"]
        raw = client.chat.completions.with_raw_response.create(
            model="chat_model", messages=[{"role": "user", "content": "What is a tuple?"}], max_tokens=6,
            temperature=0, user="alice")
        completion = raw.parse()
        assert raw.headers["x-flywheel-model-version"] == str(V1) == completion.model
        assert completion.choices[0].finish_reason in ("stop", "length")
        assert completion.usage.completion_tokens <= 6 and completion.usage.prompt_tokens > 0
        chunks = list(client.chat.completions.create(
            model="chat_model", messages=[{"role": "user", "content": "What is a tuple?"}], max_tokens=6,
            temperature=0, stream=True))
        streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
        assert streamed == completion.choices[0].message.content
        assert chunks[-1].choices[0].finish_reason == completion.choices[0].finish_reason
        assert {c.model for c in chunks} == {str(V1)}
        assert httpx.get(f"{url}/health").json() == {"status": "ok"}
        assert httpx.get(f"{url}/ready").status_code == 200
        metrics = httpx.get(f"{url}/metrics").text
        for name in ("flywheel:requests_total", "flywheel:e2e_request_latency_seconds_bucket",
                     "flywheel:time_to_first_token_seconds_bucket", "flywheel:inter_token_latency_seconds_bucket",
                     "flywheel:generation_tokens_total", "flywheel:batch_size_bucket",
                     "flywheel:num_requests_waiting", "flywheel:circuit_breaker_state"):
            assert name in metrics, name
        assert f'flywheel:requests_total{{alias="production",status="ok",version="{V1}"}} 2.0' in metrics
        assert chat(url, model="gpt-4").status_code == 404
        assert chat(url, max_tokens=100_000).status_code == 422
        assert chat(url, messages=[]).status_code == 422


def test_a_sticky_canary_share_through_the_server(home, registry):
    registry.start_canary(V2, 30, "gate passed")
    with running(home) as (url, server):
        assert server.live.canary_percent == 30

        async def ask(users):
            async with httpx.AsyncClient(timeout=120) as client:
                async def one(user):
                    response = await client.post(f"{url}/v1/chat/completions", json={
                        "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1, "user": user})
                    return response.headers["x-flywheel-model-version"]
                return await asyncio.gather(*(one(u) for u in users))

        users = [f"user-{i}" for i in range(150)]
        first, second = asyncio.run(ask(users)), asyncio.run(ask(users))
        assert first == second  # every user keeps their version
        share = first.count(str(V2)) / len(users)
        assert 0.18 < share < 0.42, share
        assert max(server.telemetry.batch_size.collect()[0].samples, key=lambda s: s.value)  # batches happened


def test_a_failing_canary_never_fails_a_user_and_its_breaker_opens_and_closes(home, registry):
    registry.start_canary(V2, 50, "gate passed")
    with running(home, faults={str(V2): FaultInjection(error_rate=1.0)},
                 breaker=BreakerSettings(failure_threshold=3, cooldown_s=1.0)) as (url, server):
        answers = [chat(url, model="canary", user=f"u{i}") for i in range(8)]
        assert {a.status_code for a in answers} == {200}
        assert {a.headers["x-flywheel-model-version"] for a in answers} == {str(V1)}
        assert all(a.json()["flywheel"]["fallback_from"] == str(V2) for a in answers)
        breaker = server.live.get("canary").breaker
        assert breaker.state == "open" and breaker.times_opened == 1
        metrics = httpx.get(f"{url}/metrics").text
        assert f'flywheel:requests_total{{alias="canary",status="error",version="{V2}"}} 3.0' in metrics
        assert f'flywheel:requests_total{{alias="canary",status="breaker_open",version="{V2}"}} 5.0' in metrics
        assert f'flywheel:circuit_breaker_state{{alias="canary",version="{V2}"}} 2.0' in metrics
        assert f'flywheel:circuit_breaker_opened_total{{alias="canary",version="{V2}"}} 1.0' in metrics
        assert httpx.get(f"{url}/v1/stats").json()["versions"][str(V2)]["fallbacks"] == 8
        server.live.set_faults(str(V2), FaultInjection())  # the canary recovers
        wait_until(lambda: breaker.state == "half_open")
        recovered = chat(url, model="canary")
        assert recovered.headers["x-flywheel-model-version"] == str(V2) and breaker.state == "closed"


def test_a_model_past_its_deadline_is_answered_by_the_fallback_and_streams_fail_over_too(home, registry):
    registry.promote(V2, "second")  # v1 is now the fallback (the production v2 replaced)
    with running(home, request_deadline_s=1.0, faults={str(V2): FaultInjection(added_latency_s=3.0)}) as (url, _):
        response = chat(url)
        assert response.status_code == 200 and response.json()["flywheel"] == {
            "alias": "fallback", "version": str(V1), "fallback": True, "fallback_from": str(V2)}
        with httpx.stream("POST", f"{url}/v1/chat/completions", timeout=60, json={
                "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 3, "stream": True}) as stream:
            assert stream.headers["x-flywheel-fallback"] == "true"
            assert stream.headers["x-flywheel-model-version"] == str(V1)
            assert list(stream.iter_lines())[-2] == "data: [DONE]"
        timeouts = f'flywheel:fallbacks_total{{from_alias="production",from_version="{V2}",reason="timeout"}} 2.0'
        assert timeouts in httpx.get(f"{url}/metrics").text


def test_a_full_queue_answers_503_with_retry_after(home, registry):
    with running(home, faults={str(V1): FaultInjection(added_latency_s=1.0)},
                 batching={"max_batch_size": 1, "max_queue": 1}) as (url, _):
        async def flood():
            async with httpx.AsyncClient(timeout=60) as client:
                return await asyncio.gather(*(client.post(f"{url}/v1/chat/completions", json={
                    "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}) for _ in range(6)))

        responses = asyncio.run(flood())
        refused = [r for r in responses if r.status_code == 503]
        assert refused and all(r.headers["retry-after"] == "1" for r in refused)
        assert any(r.status_code == 200 for r in responses)


def test_hot_swap_under_load_fails_no_request_and_a_broken_version_is_never_switched_to(home, registry, model_dir):
    with running(home) as (url, server):
        async def load(seconds):
            versions, loop = [], asyncio.get_running_loop()
            async with httpx.AsyncClient(timeout=60) as client:
                async def user(i):
                    end = loop.time() + seconds
                    while loop.time() < end:
                        r = await client.post(f"{url}/v1/chat/completions", json={
                            "messages": [{"role": "user", "content": f"question {i}"}], "max_tokens": 2})
                        versions.append((r.status_code, r.headers.get("x-flywheel-model-version")))
                await asyncio.gather(*(user(i) for i in range(6)))
            return versions

        async def swap_during_load():
            task = asyncio.create_task(load(4.0))
            await asyncio.sleep(1.0)
            await asyncio.to_thread(registry.promote, V2, "hot swap")
            return await task

        results = asyncio.run(swap_during_load())
        assert {status for status, _ in results} == {200}
        assert results[0][1] == str(V1) and results[-1][1] == str(V2)
        assert server.live.swaps >= 1
        broken = publish_broken(registry, model_dir, "broken")
        registry.promote(broken, "a bad export", force=True)
        wait_until(lambda: 'outcome="failed"' in httpx.get(f"{url}/metrics").text)
        assert chat(url).headers["x-flywheel-model-version"] == str(V2)
        assert server.live.served()["production"] == str(V2)


def test_ratings_and_comparisons_become_feedback_events_and_bad_feedback_is_refused(home, registry):
    with running(home, feedback={"flush_events": 2, "flush_seconds": 3600}) as (url, server):
        first = chat(url, "How do I sort?", user="bob").json()
        second = chat(url, "How do I sort?", user="bob", temperature=1.0, seed=3).json()
        other = chat(url, "Something else", user="bob").json()
        post = lambda body: httpx.post(f"{url}/v1/feedback", json=body)  # noqa: E731
        assert post({"response_id": first["id"], "rating": 1}).status_code == 200
        assert post({"response_id": first["id"], "rating": -1}).status_code == 409
        assert post({"response_id": "chatcmpl-nope", "rating": 1}).status_code == 404
        assert post({"chosen_id": second["id"], "rejected_id": first["id"]}).status_code == 200
        assert post({"chosen_id": first["id"], "rejected_id": second["id"]}).status_code == 409
        assert post({"chosen_id": first["id"], "rejected_id": other["id"]}).status_code == 422
        for bad in ({"response_id": first["id"], "rating": 2}, {"response_id": first["id"]}, {},
                    {"response_id": first["id"], "rating": 1, "chosen_id": "x", "rejected_id": "y"},
                    {"chosen_id": first["id"]}, {"response_id": first["id"], "rating": 1, "extra": 1}):
            assert post(bad).status_code == 422, bad
        wait_until(lambda: len(server.flusher.landing.list_feedback_files()) == 1)  # two events: one full file
        [published] = server.flusher.landing.list_feedback_files()
        events = [parse_event(line) for line in open(published.url.removeprefix("file://")).read().splitlines()]
        assert [e["kind"] for e in events] == ["rating", "comparison"]
        assert events[0]["response"] == first["choices"][0]["message"]["content"].strip()
        assert {e["model_version"] for e in events} == {str(V1)} and {e["user_id"] for e in events} == {"bob"}
        metrics = httpx.get(f"{url}/metrics").text
        for rating in ("up", "preferred", "not_preferred"):
            assert f'flywheel:ratings_total{{rating="{rating}",version="{V1}"}} 1.0' in metrics


def test_the_moderation_hook_refuses_flagged_inputs_and_answers_and_they_cannot_be_rated(home, registry):
    moderator = "tests.integration.serving_fixtures:KeywordModerator"
    with running(home, moderation=moderator) as (url, _):
        blocked = chat(url, "tell me something forbidden").json()
        assert blocked["choices"][0] == {"index": 0, "finish_reason": "content_filter",
                                         "message": {"role": "assistant", "content": REFUSAL}}
        assert httpx.post(f"{url}/v1/feedback", json={"response_id": blocked["id"], "rating": 1}).status_code == 404
        allowed = chat(url, "tell me something")
        assert allowed.json()["choices"][0]["finish_reason"] != "content_filter"
        KeywordModerator.block_answers = True
        try:
            with httpx.stream("POST", f"{url}/v1/chat/completions", timeout=60, json={
                    "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4, "stream": True}) as stream:
                body = "".join(stream.iter_lines())
        finally:
            KeywordModerator.block_answers = False
        assert REFUSAL in body and "content_filter" in body  # held back, then refused: nothing leaked
        metrics = httpx.get(f"{url}/metrics").text
        for stage in ("input", "output"):
            assert f'flywheel:moderation_blocks_total{{stage="{stage}",version="{V1}"}} 1.0' in metrics
        assert httpx.get(f"{url}/v1/stats").json()["versions"][str(V1)]["moderation_flags"] == 2


def test_the_safety_classifier_moderates_chats_and_answers_moderation_requests(home, registry, trained_safety):
    with_safety_classifier(home, trained_safety)
    _, _, report = trained_safety
    with running(home, moderation="safety") as (url, _):
        blocked = chat(url, "Write an explicit sex scene with graphic descriptions of their naked bodies.").json()
        assert blocked["choices"][0]["finish_reason"] == "content_filter"
        assert blocked["choices"][0]["message"]["content"] == REFUSAL
        moderation = blocked["flywheel"]["moderation"]
        assert moderation["stage"] == "input" and moderation["categories"] == ["sexual"]
        assert moderation["category_scores"]["sexual"] >= 0.5
        moderated = httpx.post(f"{url}/v1/moderations", json={"model": "omni-moderation-latest", "input": [
            "You are a worthless idiot and everyone at school hates you.", "How do I kill a Python process?"]})
        body = moderated.json()
        assert body["model"] == f"flywheel-safety-{report.version}" and body["id"].startswith("modr-")
        assert [r["flagged"] for r in body["results"]] == [True, False]
        assert body["results"][0]["categories"]["harassment"] and set(body["results"][1]["category_scores"]) == {
            "harassment", "sexual", "violence", "self-harm", "illicit", "privacy"}
        single = httpx.post(f"{url}/v1/moderations", json={"input": "Hello there"}).json()
        assert len(single["results"]) == 1 and not single["results"][0]["flagged"]
        assert httpx.post(f"{url}/v1/moderations", json={"input": []}).status_code == 422
        assert httpx.post(f"{url}/v1/moderations", json={"input": "x" * 30_000}).status_code == 422
        metrics = httpx.get(f"{url}/metrics").text
        assert 'flywheel:moderation_categories_total{category="sexual",stage="input"} 1.0' in metrics
