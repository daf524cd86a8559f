"""Preference pairs from feedback events, and the simulated feedback they are demoed on."""

from datetime import UTC, datetime, timedelta

from flywheel.feedback.events import parse_event
from flywheel.feedback.pairs import build_pairs, normalize
from flywheel.feedback.simulate import simulate_events

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def comparison(n: int, prompt: str, chosen: str, rejected: str) -> dict:
    return {"event_id": f"c{n}", "ts": T0 + timedelta(seconds=n), "kind": "comparison", "prompt": prompt,
            "chosen": chosen, "rejected": rejected, "response": None, "rating": None}


def rating(n: int, prompt: str, response: str, value: int) -> dict:
    return {"event_id": f"r{n}", "ts": T0 + timedelta(seconds=n), "kind": "rating", "prompt": prompt,
            "chosen": None, "rejected": None, "response": response, "rating": value}


def all_pairs(result) -> list[dict]:
    return result.train + result.held_out


def test_comparisons_and_ratings_become_pairs():
    events = [comparison(1, "p1", "good", "bad"),
              rating(2, "p2", "right", 1), rating(3, "p2", "wrong", -1), rating(4, "p2", "also wrong", -1),
              rating(5, "p3", "only good answers", 1)]
    pairs = build_pairs(events, held_out_fraction=0.3)
    got = sorted((p["prompt"], p["chosen"], p["rejected"], p["source"]) for p in all_pairs(pairs))
    assert got == [("p1", "good", "bad", "comparison"), ("p2", "right", "also wrong", "rating"),
                   ("p2", "right", "wrong", "rating")]
    rated = next(p for p in all_pairs(pairs) if p["rejected"] == "wrong")
    assert rated["event_ids"] == ["r2", "r3"]


def test_a_comparison_naming_both_answers_model_versions_is_model_vs_model():
    events = [{**comparison(1, "p1", "good", "bad"), "model_version": "m@2", "rejected_model_version": "m@1"},
              {**comparison(2, "p2", "good", "bad"), "model_version": "m@2", "rejected_model_version": None}]
    sources = {p["prompt"]: p["source"] for p in all_pairs(build_pairs(events, held_out_fraction=0.0))}
    assert sources == {"p1": "model_vs_model", "p2": "comparison"}


def test_duplicates_identical_sides_and_contested_ratings_are_dropped_and_counted():
    events = [comparison(1, "p", "a", "b"), comparison(2, "p ", "a", " b"), comparison(3, "p", "same", "same"),
              rating(4, "q", "x", 1), rating(5, "q", "x", -1), rating(6, "q", "y", -1)]
    pairs = build_pairs(events, held_out_fraction=0.3)
    assert len(all_pairs(pairs)) == 1
    assert pairs.dropped == {"duplicate pair": 1, "chosen equals rejected": 1, "contested rating (both +1 and -1)": 1}


def test_rating_pairs_per_prompt_are_capped_deterministically():
    events = ([rating(n, "p", f"good {n}", 1) for n in range(5)]
              + [rating(10 + n, "p", f"bad {n}", -1) for n in range(5)])
    first = build_pairs(events, 0.3, max_pairs_per_prompt=4)
    shuffled = build_pairs(list(reversed(events)), 0.3, max_pairs_per_prompt=4)
    assert len(all_pairs(first)) == 4 and first.dropped["rating pairs above max_pairs_per_prompt"] == 21
    assert first.version() == shuffled.version()


def test_held_out_prompts_stay_held_out_as_feedback_grows():
    events = [comparison(n, f"question {n}", f"good {n}", f"bad {n}") for n in range(400)]
    small, large = build_pairs(events[:200], 0.2), build_pairs(events, 0.2)
    held_out = {p["prompt"] for p in small.held_out}
    assert 20 < len(held_out) < 60
    assert held_out <= {p["prompt"] for p in large.held_out}
    assert not held_out & {p["prompt"] for p in large.train}
    assert not {normalize(p["prompt"]) for p in large.train} & {normalize(p["prompt"]) for p in large.held_out}


def test_simulated_feedback_is_valid_real_text_and_reproducible():
    import json

    events = simulate_events(200, seed=3, id_prefix="t")
    assert events == simulate_events(200, seed=3, id_prefix="t")
    parsed = [parse_event(json.dumps(e)) for e in events]
    assert len({e["event_id"] for e in parsed}) == len(parsed) >= 200
    comparisons = [e for e in parsed if e["kind"] == "comparison"]
    assert comparisons and all(normalize(e["chosen"]) != normalize(e["rejected"]) for e in comparisons)
    ratings = [e for e in parsed if e["kind"] == "rating"]
    assert {e["rating"] for e in ratings} == {1, -1}
    pairs = build_pairs(parsed, 0.15)
    assert len(all_pairs(pairs)) > 150 and pairs.held_out
    # Subtly wrong answers: the same length give or take a word, one word or number different.
    two_samples = [e for e in comparisons if e["rejected_model_version"]]
    assert two_samples and all(e["rejected_model_version"] == e["model_version"] for e in two_samples)
    for e in two_samples:
        chosen, rejected = e["chosen"].split(), e["rejected"].split()
        assert len(chosen) == len(rejected) and sum(a != b for a, b in zip(chosen, rejected)) == 1
    assert pairs.by_source()["model_vs_model"] == len({normalize(e["prompt"] + e["rejected"]) for e in two_samples})


def test_pairs_built_bucket_by_bucket_are_the_pairs_built_at_once(tmp_path):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from flywheel.feedback.events import EVENT_SCHEMA
    from flywheel.feedback.pair_buckets import PAIRING_COLUMNS, write_pairs

    events = [parse_event(json.dumps(e)) for e in simulate_events(600, seed=5, id_prefix="b")]
    events += [dict(events[0], event_id="again")]  # a re-sent comparison: a duplicate pair
    table = pa.Table.from_pylist(events, pa.schema([EVENT_SCHEMA.field(c) for c in PAIRING_COLUMNS]))
    at_once = build_pairs(table.to_pylist(), 0.15)
    out = tmp_path / "out"
    out.mkdir()
    written = write_pairs(table.to_batches(max_chunksize=50), 0.15, 4, out, tmp_path / "spill", buckets=7)
    assert written.version == at_once.version() and written.events == len(events)
    assert written.dropped == at_once.dropped and written.by_source == at_once.by_source()
    for split in ("train", "held_out"):
        ids = sorted(pq.read_table(out / f"{split}.parquet").column("pair_id").to_pylist())
        assert ids == sorted(row["pair_id"] for row in getattr(at_once, split))
        assert written.pairs[split] == len(ids)
    assert len(list((tmp_path / "spill").glob("bucket-*.parquet"))) == 7
