"""Expectation suites of the feedback datasets: the event log and the preference pairs.

Each guards what would poison the reward model or DPO: events without ids or half a comparison,
personal data that escaped scrubbing, empty or identical answers, held-out pairs in train.
"""

from __future__ import annotations

import pandas as pd

from flywheel.feedback.events import EVENT_SCHEMA, MAX_TEXT_CHARS, TEXT_FIELDS
from flywheel.feedback.pairs import pair_id
from flywheel.feedback.pii import scrub
from flywheel.quality.gx_runner import expectations

EVENT_COMPLETE = "event_complete"  # derived, see `with_event_flags`
PII_LEFT = "pii_left"  # derived, see `with_event_flags`
PREFERENCE_COLUMNS = ["prompt", "chosen", "rejected"]
CHOSEN_EQUALS_REJECTED = "chosen_equals_rejected"  # derived, see `with_pair_flags`
IN_HELD_OUT = "pair_in_held_out"  # derived, see `with_pair_flags`


def feedback_events_suite() -> list:
    E = expectations()
    return [
        E.ExpectTableColumnsToMatchSet(column_set=[*EVENT_SCHEMA.names, EVENT_COMPLETE, PII_LEFT], exact_match=True),
        E.ExpectColumnValuesToNotBeNull(column="event_id"),
        E.ExpectColumnValuesToBeUnique(column="event_id"),
        E.ExpectColumnValuesToNotBeNull(column="ts"),
        E.ExpectColumnValuesToBeInSet(column="kind", value_set=["comparison", "rating"]),
        E.ExpectColumnValueLengthsToBeBetween(column="prompt", min_value=1, max_value=MAX_TEXT_CHARS),
        # A comparison has both answers; a rating has its answer and +1 or -1.
        E.ExpectColumnValuesToBeInSet(column=EVENT_COMPLETE, value_set=[True]),
        E.ExpectColumnValuesToBeInSet(column=PII_LEFT, value_set=[False]),
    ]


def _complete(row) -> bool:
    def present(value) -> bool:
        return isinstance(value, str) and bool(value.strip())

    if row.kind == "comparison":
        return present(row.chosen) and present(row.rejected)
    return present(row.response) and row.rating in (1, -1)


def with_event_flags(events: pd.DataFrame) -> pd.DataFrame:
    """`events` plus whether each is a complete comparison or rating, and whether any of its
    texts still holds something the PII scrubber would replace."""
    complete = [_complete(row) for row in events.itertuples(index=False)]
    pii = [any(isinstance(getattr(row, f), str) and scrub(getattr(row, f))[1] for f in (*TEXT_FIELDS, "user_id"))
           for row in events.itertuples(index=False)]
    return events.assign(**{EVENT_COMPLETE: complete, PII_LEFT: pii})


def preference_pairs_suite(max_text_chars: int = MAX_TEXT_CHARS) -> list:
    """Preference pairs for reward modelling and DPO (the train split)."""
    E = expectations()
    suite = []
    for column in PREFERENCE_COLUMNS:
        suite += [E.ExpectColumnValuesToNotBeNull(column=column),
                  E.ExpectColumnValueLengthsToBeBetween(column=column, min_value=1, max_value=max_text_chars)]
    return suite + [
        E.ExpectColumnValuesToBeInSet(column=CHOSEN_EQUALS_REJECTED, value_set=[False]),
        # A held-out pair in train would make every held-out metric a memory test.
        E.ExpectColumnValuesToBeInSet(column=IN_HELD_OUT, value_set=[False]),
    ]


def with_pair_flags(train: pd.DataFrame, held_out: pd.DataFrame) -> pd.DataFrame:
    """`train` plus whether each pair's chosen equals its rejected, and whether it is held out."""
    held_out_keys = {pair_id(*row) for row in held_out[PREFERENCE_COLUMNS].itertuples(index=False)}
    keys = [pair_id(*(str(v) for v in row)) for row in train[PREFERENCE_COLUMNS].itertuples(index=False)]
    same = [" ".join(str(c).split()) == " ".join(str(r).split()) for c, r in zip(train["chosen"], train["rejected"])]
    return train.assign(**{CHOSEN_EQUALS_REJECTED: same, IN_HELD_OUT: [k in held_out_keys for k in keys]})
