import pytest

from flywheel.batch_names import InvalidBatchName, validate_batch_name


@pytest.mark.parametrize("name", ["sample-0001", "2026-11-22", "cc_main.2024-10", "A"])
def test_accepts_tame_names(name):
    assert validate_batch_name(name) == name


@pytest.mark.parametrize("name, message", [
    ("", "empty"),
    ("a/b", "path separator"),
    ("a\\b", "path separator"),
    ("..", "'..'"),
    ("x..y", "'..'"),
    (".hidden", "must start with a letter or digit"),
    ("-dash", "must start with a letter or digit"),
    ("spa ce", "must start with a letter or digit"),
    ("x" * 101, "at most 100"),
])
def test_rejects_unsafe_names_saying_why(name, message):
    with pytest.raises(InvalidBatchName, match=message):
        validate_batch_name(name)
