"""A document's tables as column arrays where they leave its worker or wait on disk, and the join of many
documents' parts into one frame for the writer.

A document's frames are built column by column, one pandas block per column; unpickling a frame rebuilds every
block and cost six times what its values did (6 ms a document in the run's one main process, 1,000 documents:
6 s). A ``Part`` carries the column arrays alone, and ``join`` concatenates a batch of parts column by column,
with ``pd.concat``'s own result wherever the parts' types differ.

Pickling an array costs some 15 µs whatever its length, and a document's tables hold about 320 columns (2 ms a
document to dump in the worker and load in the main process). A part is pickled with its numpy columns stacked, one
2-D array per type; a float column of nothing but NaN (most of the 49 amount columns) is pickled as nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.frames import Array, column_arrays, concat_arrays, plain_strings


@dataclass(frozen=True)
class Part:
    """One document's rows of a table: its columns in order, an array per column, the number of rows."""

    columns: tuple[str, ...]
    arrays: tuple[Array, ...]
    rows: int

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Part:
        return cls(tuple(frame.columns), tuple(column_arrays(frame)), len(frame))

    def frame(self) -> pd.DataFrame:
        """The rows as the document's frame held them (strings as Python objects)."""
        with plain_strings():
            return pd.DataFrame(dict(zip(self.columns, self.arrays, strict=True)), index=pd.RangeIndex(self.rows))

    def column(self, name: str) -> Array:
        return self.arrays[self.columns.index(name)]

    def __reduce__(self) -> tuple:
        return _unpacked, (self.columns, self.rows, *_packed(self.arrays))


STACKED = tuple(np.dtype(t) for t in ("float64", "int64", "bool", "object"))  # the numpy types pickled stacked
NAN_BITS = np.array(np.nan).view(np.uint64)  # numpy's own NaN: a column of it is rebuilt as np.full(rows, np.nan)
EMPTY = "nan"  # a column of nothing but that NaN, pickled as nothing


def _packed(arrays: tuple[Array, ...]) -> tuple[tuple[str | None, ...], dict[str, np.ndarray], tuple[Array, ...]]:
    """Where each column goes (its stack's type, EMPTY, or None: among the others, as it is), the stacks, the
    others. Only NaN of numpy's own bits counts as empty, so that every column comes back bit for bit."""
    where: list[str | None] = [None] * len(arrays)
    groups: dict[str, list[int]] = {}
    others = []
    for i, array in enumerate(arrays):
        if isinstance(array, np.ndarray) and array.ndim == 1 and array.dtype in STACKED:
            groups.setdefault(array.dtype.str, []).append(i)
        else:
            others.append(array)
    stacks = {}
    for kind, positions in groups.items():
        stack = np.stack([arrays[i] for i in positions])
        if stack.dtype == np.float64:  # one test for all the float columns: a test per column cost more
            empty = (stack.view(np.uint64) == NAN_BITS).all(axis=1)
            for i, nothing in zip(positions, empty.tolist(), strict=True):
                if nothing:
                    where[i] = EMPTY
            positions = [i for i in positions if where[i] is None]
            stack = stack[~empty]
        for i in positions:
            where[i] = kind
        stacks[kind] = stack
    return tuple(where), stacks, tuple(others)


def _unpacked(columns: tuple[str, ...], rows: int, where: tuple[str | None, ...], stacks: dict[str, np.ndarray],
              others: tuple[Array, ...]) -> Part:
    """The part _packed took apart; a stacked column is its row of the stack (a view)."""
    taken = dict.fromkeys(stacks, 0)
    rest = iter(others)
    arrays = []
    for kind in where:
        if kind is None:
            arrays.append(next(rest))
        elif kind == EMPTY:
            arrays.append(np.full(rows, np.nan))
        else:
            arrays.append(stacks[kind][taken[kind]])
            taken[kind] += 1
    return Part(columns, tuple(arrays), rows)


def join(parts: list[Part]) -> pd.DataFrame:
    """The parts' rows in order, as ``pd.concat`` of their frames gives them (index 0…n-1)."""
    with plain_strings():
        columns = parts[0].columns
        if any(p.columns != columns for p in parts):
            return pd.concat([p.frame() for p in parts], ignore_index=True)
        data = {c: concat_arrays([p.arrays[i] for p in parts]) for i, c in enumerate(columns)}
        return pd.DataFrame(data, index=pd.RangeIndex(sum(p.rows for p in parts)))
