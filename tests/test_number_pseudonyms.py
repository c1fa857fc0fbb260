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
    index, hashed = NumberPseudonyms(limit=1_000), CountingHash()
    one_at_a_time = Pseudonymiser(b"k" * 32)
    numbers = ["100002", "7", None, "100001", "100002", "-3", "9223372036854775807"]
    found = index.lookup(pa.array(numbers, pa.string()), hashed)
    assert found is not None
    assert found.to_pylist() == [None if n is None else one_at_a_time(n) for n in numbers]


def test_each_number_is_hashed_once_across_batches() -> None:
    hashed = CountingHash()
    index = NumberPseudonyms(limit=1_000)
    first = index.lookup(pa.array(["5", "3", "5", "1"]), hashed)
    second = index.lookup(pa.array(["3", "4", "1", "4", "6"]), hashed)
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
    assert NumberPseudonyms(limit=1_000).lookup(pa.array(numbers, pa.string()), hashed) is None
    assert hashed.asked == []


def test_past_its_limit_the_index_starts_again_and_still_gives_the_same_pseudonyms() -> None:
    hashed = CountingHash()
    index = NumberPseudonyms(limit=4)
    one_at_a_time = Pseudonymiser(b"k" * 32)
    for batch in (["1", "2", "3"], ["4", "5"], ["1", "6", "5"]):
        found = index.lookup(pa.array(batch), hashed)
        assert found is not None
        assert found.to_pylist() == [one_at_a_time(n) for n in batch]
        assert len(index) <= 4


def test_a_column_that_fills_the_index_keeps_the_pseudonyms_of_the_numbers_it_already_knew() -> None:
    """At 830,000 employees a later snapshot filled the index (a million numbers) in a batch that
    also held numbers the index knew: it started again without them, and each of those took the
    pseudonym of the lowest number kept, so thousands of employees shared one."""
    hashed = CountingHash()
    index = NumberPseudonyms(limit=4)
    one_at_a_time = Pseudonymiser(b"k" * 32)
    for batch in (["1", "2", "3"], ["3", None, "4", "5", "2"], ["9", "8", "7", "6", "5"], ["5", "6"]):
        found = index.lookup(pa.array(batch, pa.string()), hashed)
        if found is None:  # more distinct numbers than the index may hold: the value-by-value path
            assert len(set(batch)) > 4
            continue
        assert found.to_pylist() == [None if n is None else one_at_a_time(n) for n in batch]
        assert len(index) <= 4


def test_the_index_of_a_pseudonymiser_goes_with_it() -> None:
    """The loader keeps one index per pseudonymiser (per key) while that pseudonymiser lives; the
    index holds the numbers beside their pseudonyms, so it must not outlive it."""
    import gc
    import weakref

    from culture_warehouse import load
    from culture_warehouse.contract import Kind

    pseudonymise = Pseudonymiser(b"k" * 32)
    gone = weakref.ref(pseudonymise)
    load.ColumnConverter(Kind.EMPLOYEE, pseudonymise, required=True)(pa.array(["100001", "100002"]))
    assert len(load._NUMBER_PSEUDONYMS[pseudonymise]) == 2
    del pseudonymise
    gc.collect()
    assert gone() is None
