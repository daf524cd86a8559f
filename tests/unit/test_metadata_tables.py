from orchestration.metadata import counts_table, table


def test_table_rounds_floats_to_four_significant_digits_and_keeps_the_column_order():
    rendered = table([{"reason": "c4.min_sentences", "value": 0.023059866962305987, "threshold": 5.0,
                       "detail": "2 sentences", "count": 3, "kept": True}],
                     ["reason", "value", "threshold", "detail", "count", "kept"])
    [record] = rendered.records
    assert record.data == {"reason": "c4.min_sentences", "value": 0.02306, "threshold": 5.0,
                           "detail": "2 sentences", "count": 3, "kept": True}
    assert [c.name for c in rendered.schema.columns] == ["reason", "value", "threshold", "detail", "count", "kept"]


def test_counts_table_sorts_by_count_with_shares():
    rendered = counts_table({"a": 1, "b": 3}, "reason")
    assert [r.data for r in rendered.records] == [{"reason": "b", "count": 3, "share": 0.75},
                                                  {"reason": "a", "count": 1, "share": 0.25}]
