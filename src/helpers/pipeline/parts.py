"""A document's tables as column arrays where they leave its worker or wait on disk, and the join of many
documents' parts into one frame for the writer.

A document's frames are built column by column, one pandas block per column; unpickling a frame rebuilds every
block and cost six times what its values did (6 ms a document in the run's one main process, 1,000 documents:
6 s). A ``Part`` carries the column arrays alone, and ``join`` concatenates a batch of parts column by column,
with ``pd.concat``'s own result wherever the parts' types differ.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.frames import Array, column_arrays, plain_strings


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


def join(parts: list[Part]) -> pd.DataFrame:
    """The parts' rows in order, as ``pd.concat`` of their frames gives them (index 0…n-1)."""
    with plain_strings():
        columns = parts[0].columns
        if any(p.columns != columns for p in parts):
            return pd.concat([p.frame() for p in parts], ignore_index=True)
        data = {c: _join_column([p.arrays[i] for p in parts]) for i, c in enumerate(columns)}
        return pd.DataFrame(data, index=pd.RangeIndex(sum(p.rows for p in parts)))


def _join_column(arrays: list[Array]) -> Array:
    first = arrays[0]
    if all(type(a) is type(first) and a.dtype == first.dtype for a in arrays):
        if isinstance(first, np.ndarray):
            return np.concatenate(arrays)
        return type(first)._concat_same_type(arrays)  # the extension-array interface's own concatenation
    # types that differ (an empty column is float in one document, text in another): pandas' rules decide
    return pd.concat([pd.Series(a, copy=False) for a in arrays], ignore_index=True).array
