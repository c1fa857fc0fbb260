"""The process's index of plain employee numbers' pseudonyms, found a column at a time."""

from __future__ import annotations

import pyarrow as pa
import pytest

from culture_warehouse.number_pseudonyms import NumberPseudonyms
from culture_warehouse.privacy import Pseudonymiser


class CountingHash:
    """The real keyed hash, counting the numbers it is asked for."""

    def __init__(self) -> None:
        self.pseudonymise = Pseudonymiser(b"k" * 32)
        self.asked: list[str] = []

    def __call__(self, numbers: list[str]) -> list[str]:
        self.asked.extend(numbers)
        return self.pseudonymise.many(numbers)


def test_plain_numbers_get_the_pseudonym_one_number_at_a_time_gives_and_nulls_stay_null() -> None:
    index = NumberPseudonyms(CountingHash(), limit=1_000)
    one_at_a_time = Pseudonymiser(b"k" * 32)
    numbers = ["100002", "7", None, "100001", "100002", "-3", "9223372036854775807"]
    found = index.lookup(pa.array(numbers, pa.string()))
    assert found is not None
    assert found.to_pylist() == [None if n is None else one_at_a_time(n) for n in numbers]


def test_each_number_is_hashed_once_across_batches() -> None:
    hashed = CountingHash()
    index = NumberPseudonyms(hashed, limit=1_000)
    first = index.lookup(pa.array(["5", "3", "5", "1"]))
    second = index.lookup(pa.array(["3", "4", "1", "4", "6"]))
    assert sorted(hashed.asked) == ["1", "3", "4", "5", "6"]
    assert first is not None and second is not None
    assert second.to_pylist()[0] == first.to_pylist()[1]  # "3" both times
    assert len(index) == 5


@pytest.mark.parametrize(
    "numbers",
    [["1", "007"], ["1", "E7"], ["1", "+5"], ["1", "-0"], ["1", "99999999999999999999"], ["1", " 2"], [None]],
)
def test_a_column_with_any_other_form_is_left_to_the_value_by_value_path(numbers: list[str | None]) -> None:
    """Only texts that are exactly ``str(int)`` may share an integer key: 007 and 7 are two employees."""
    hashed = CountingHash()
    assert NumberPseudonyms(hashed, limit=1_000).lookup(pa.array(numbers, pa.string())) is None
    assert hashed.asked == []


def test_past_its_limit_the_index_starts_again_and_still_gives_the_same_pseudonyms() -> None:
    hashed = CountingHash()
    index = NumberPseudonyms(hashed, limit=4)
    one_at_a_time = Pseudonymiser(b"k" * 32)
    for batch in (["1", "2", "3"], ["4", "5"], ["1", "6", "5"]):
        found = index.lookup(pa.array(batch))
        assert found is not None
        assert found.to_pylist() == [one_at_a_time(n) for n in batch]
        assert len(index) <= 4
