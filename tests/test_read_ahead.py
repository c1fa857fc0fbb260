"""The loader's stages run side by side (``read_ahead``): nothing may be lost, reordered or leaked."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from culture_warehouse.readers.tabular import FileRejected, read_ahead


def test_items_come_in_order_and_a_producer_error_is_raised_after_the_items_before_it() -> None:
    def source() -> Iterator[int]:
        yield from range(50)
        raise FileRejected("broken at line 52")

    seen: list[int] = []
    with pytest.raises(FileRejected, match="line 52"):
        for item in read_ahead(source()):
            seen.append(item)
    assert seen == list(range(50))


def test_a_consumer_that_stops_early_stops_the_producer_and_closes_its_source() -> None:
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            number = 0
            while True:
                yield number
                number += 1
        finally:
            closed.set()

    before = threading.active_count()
    ahead = read_ahead(endless(), depth=2)
    assert [next(ahead) for _ in range(3)] == [0, 1, 2]
    ahead.close()
    assert closed.is_set()
    assert threading.active_count() == before


def test_nothing_is_produced_until_the_consumer_asks() -> None:
    started = threading.Event()

    def source() -> Iterator[int]:
        started.set()
        yield 1

    ahead = read_ahead(source())
    assert not started.is_set()
    assert list(ahead) == [1]
