"""Off-prompt hard negatives in reward data, and the diagnosis of a preference scorer: accuracy by
kind of pair, prompt swap, length control."""

from flywheel.evaluation.reward_diagnostics import diagnose, diagnostics_rows, pair_kind
from flywheel.feedback.hard_negatives import OFF_PROMPT, off_prompt_pairs
from flywheel.feedback.pairs import build_pairs

ANSWERS = {f"What does module{i} do?": f"module{i} handles task{i} for the standard library of python"
           for i in range(40)}


def test_pair_kinds_are_inferred_from_the_texts():
    answer = "The module parses dates. It also formats them. Use it for timestamps."
    assert pair_kind(answer, "The module parses dates.") == "truncated"
    assert pair_kind(answer, "timestamps. dates. also The parses It them. formats for Use module it") == "degraded"
    assert pair_kind(answer, "The module parses dates. The module parses dates. The module parses dates.") == "degraded"
    assert pair_kind(answer, "Buy cheap watches now, limited offer!!!") == "other"


def test_off_prompt_pairs_use_another_prompts_chosen_answer_for_a_share_of_prompts():
    pairs = [{"prompt": p, "chosen": a, "rejected": "spam spam", "event_ids": [f"e{i}"]}
             for i, (p, a) in enumerate(ANSWERS.items())]
    negatives = off_prompt_pairs(pairs, share=0.5)
    assert 10 <= len(negatives) <= 30  # about half of 40 prompts
    for pair in negatives:
        assert pair["source"] == OFF_PROMPT and pair["chosen"] == ANSWERS[pair["prompt"]]
        assert pair["rejected"] in ANSWERS.values() and pair["rejected"] != pair["chosen"]
        assert len(pair["event_ids"]) == 2
    assert off_prompt_pairs(pairs, share=0.5) == negatives and off_prompt_pairs(pairs, 0.0) == []


def test_reward_data_adds_hard_negatives_to_the_training_split_only():
    events = [{"event_id": f"e{i}", "ts": f"2026-01-01T00:00:{i:02d}", "kind": "comparison", "prompt": p,
               "chosen": a, "rejected": "Buy cheap watches now", "response": None, "rating": None}
              for i, (p, a) in enumerate(ANSWERS.items())]
    plain = build_pairs(events, held_out_fraction=0.2)
    hard = build_pairs(events, held_out_fraction=0.2, off_prompt_share=0.5)
    assert hard.held_out == plain.held_out
    added = [row for row in hard.train if row["source"] == OFF_PROMPT]
    assert added and len(hard.train) == len(plain.train) + len(added)
    held_out_prompts = {row["prompt"] for row in hard.held_out}
    assert not any(row["prompt"] in held_out_prompts for row in added)
    assert hard.version() != plain.version()


def _overlap_scorer(prompts, answers):
    """Scores an answer by the words it shares with its prompt, plus a little for length: it reads
    the prompt."""
    return [len(set(p.lower().replace("?", "").split()) & set(a.split())) + len(a) / 1000
            for p, a in zip(prompts, answers)]


def _length_scorer(prompts, answers):
    return [float(len(a)) for a in answers]


def test_diagnosis_separates_a_scorer_that_reads_the_prompt_from_a_length_shortcut():
    pairs = [{"prompt": p, "chosen": a, "rejected": " ".join(a.split()[:3])} for p, a in ANSWERS.items()]
    reads = diagnose(_overlap_scorer, pairs)
    length = diagnose(_length_scorer, pairs)
    assert reads["by_kind"]["truncated"] == {"pairs": 40, "accuracy": 1.0}
    assert reads["by_kind"]["off_topic"] == {"pairs": 40, "accuracy": 1.0}
    assert reads["prompt_swap"]["own_prompt_higher"] == 1.0
    assert length["by_kind"]["truncated"]["accuracy"] == 1.0  # length wins the easy pairs...
    assert length["by_kind"]["off_topic"]["accuracy"] <= 0.5  # ...not off-topic ones
    assert length["prompt_swap"]["own_prompt_higher"] == 0.0  # the same answer scores the same anywhere
    assert length["length_controlled"]["pairs"] == 0  # truncated pairs are never of similar length
    rows = {row["view"]: row for row in diagnostics_rows(reads)}
    assert rows["kind: off_topic"]["accuracy"] == 1.0 and rows["all held-out pairs"]["pairs"] == 40


def test_pairs_of_two_models_answers_are_their_own_kind():
    """A pair whose source says both answers came from models is `model_vs_model`, whatever its
    texts look like; pairs without a source are inferred from their texts."""
    answer = "The module parses dates. It also formats them."
    pairs = [{"prompt": "What does it do?", "chosen": answer, "rejected": "The module parses dates.",
              "source": "model_vs_model"},
             {"prompt": "And this one?", "chosen": answer, "rejected": "The module parses dates."}]
    result = diagnose(_length_scorer, pairs)
    assert result["by_kind"]["model_vs_model"] == {"pairs": 1, "accuracy": 1.0}
    assert result["by_kind"]["truncated"] == {"pairs": 1, "accuracy": 1.0}


def test_each_distinct_prompt_and_answer_is_scored_once():
    """Scoring is the costly part (two models' forward passes for DPO): a prompt's chosen answer
    recurs in each of its pairs and in the swaps, and is scored once, in one call."""
    pairs = [{"prompt": p, "chosen": a, "rejected": rejected} for p, a in list(ANSWERS.items())[:10]
             for rejected in (" ".join(a.split()[:3]), " ".join(reversed(a.split())))]
    calls = []

    def counting(prompts, answers):
        calls.append(list(zip(prompts, answers)))
        return _overlap_scorer(prompts, answers)

    result = diagnose(counting, pairs)
    assert result["by_kind"]["off_topic"] == {"pairs": 20, "accuracy": 1.0} and result["all"]["pairs"] == 20
    [scored] = calls
    assert len(scored) == len(set(scored)) < 4 * len(pairs)
