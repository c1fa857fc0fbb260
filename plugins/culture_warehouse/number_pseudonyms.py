"""Pseudonyms of plain employee numbers, found a whole column at a time.

Employee numbers are nearly always plain integers (``100001``). For those, the pseudonyms this
process has made are kept as a sorted NumPy array of the numbers beside an Arrow array of their
pseudonyms, so a batch of 30,000 numbers is found with one ``searchsorted`` and one ``take``: no
Python per value, and no Python string per value either. Only numbers never seen before reach the
keyed hash, each once. A column holding any other form (a leading zero, a letter, a plus sign) is
left to the caller's value-by-value path, which gives the same pseudonyms.

The index holds pseudonyms and the numbers they were made from, so it is as sensitive as the key
itself: it lives in the loading process's memory only and is never written anywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


class NumberPseudonyms:
    """The pseudonyms of the plain integer employee numbers seen so far in this process."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._numbers: npt.NDArray[np.int64] = np.empty(0, np.int64)  # sorted
        self._slots: npt.NDArray[np.int64] = np.empty(0, np.int64)  # each number's place in _store
        self._store: pa.Array = pa.array([], pa.string())

    def __len__(self) -> int:
        return len(self._numbers)

    def lookup(self, column: pa.Array, hash_all: Callable[[list[str]], list[str]]) -> pa.Array | None:
        """The pseudonyms of a column of trimmed numbers (a null stays null); ``hash_all`` gives the
        pseudonyms of numbers never seen (the index holds no reference to the key's owner).

        None when a value is not the plain decimal form of an integer (``str(int(text)) ==
        text``), or when the column alone brings more distinct numbers than the index may hold:
        those columns go the value-by-value way.
        """
        numbers = _plain_integers(column)
        if numbers is None:
            return None
        values = pc.fill_null(numbers, 0).to_numpy(zero_copy_only=False)
        valid = numbers.is_valid().to_numpy(zero_copy_only=False) if numbers.null_count else None
        with self._lock:
            places = self._find(values)
            missing = _not_found(places, valid)
            if missing.any():
                unseen = pc.unique(pc.filter(column, pa.array(missing)))
                if len(self._numbers) + len(unseen) > self._limit:
                    # Full: the index starts again with this column's numbers, those it already
                    # knew included (they are looked up again below).
                    self._clear()
                    unseen = pc.unique(column if valid is None else pc.filter(column, pa.array(valid)))
                    if len(unseen) > self._limit:
                        return None
                self._add(unseen, hash_all)
                places = self._find(values)
            # Every number must have its own pseudonym: a place not found would take another's.
            if _not_found(places, valid).any():
                return None
            slots = self._slots[np.maximum(places, 0)]
            store = self._store
        return store.take(pa.array(slots, pa.int64(), mask=None if valid is None else ~valid))

    def _clear(self) -> None:
        self._numbers, self._slots = np.empty(0, np.int64), np.empty(0, np.int64)
        self._store = pa.array([], pa.string())

    def _find(self, values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Where each value is in ``_numbers``; -1 when it is not there."""
        if not len(self._numbers):
            return np.full(len(values), -1, np.int64)
        places = np.minimum(np.searchsorted(self._numbers, values), len(self._numbers) - 1)
        return np.where(self._numbers[places] == values, places, -1)

    def _add(self, texts: pa.Array, hash_all: Callable[[list[str]], list[str]]) -> None:
        """Hash numbers not in the index (distinct, plain) and keep their pseudonyms."""
        pseudonyms = pa.array(hash_all(texts.to_pylist()), pa.string())
        numbers = pc.cast(texts, pa.int64()).to_numpy(zero_copy_only=False)
        order = np.argsort(numbers, kind="stable")
        new = numbers[order]
        slots = np.arange(len(self._store), len(self._store) + len(new), dtype=np.int64)[order]
        self._store = pa.concat_arrays([self._store, pseudonyms])
        places = np.searchsorted(self._numbers, new)
        self._numbers = np.insert(self._numbers, places, new)
        self._slots = np.insert(self._slots, places, slots)


def _not_found(places: npt.NDArray[np.int64], valid: npt.NDArray[np.bool_] | None) -> npt.NDArray[np.bool_]:
    """The values (nulls aside) that have no place in the index."""
    return places < 0 if valid is None else (places < 0) & valid


def _plain_integers(column: pa.Array) -> pa.Array | None:
    """The column as int64 when every value is an integer written the way ``str(int)`` writes it."""
    if column.null_count == len(column):
        return None
    try:
        numbers = pc.cast(column, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if not pc.all(pc.equal(pc.cast(numbers, pa.string()), column)).as_py():
        return None
    return numbers
