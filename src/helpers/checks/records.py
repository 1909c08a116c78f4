"""Tidy frames as plain records for the checks, and the cell helpers that mimic pandas on one value.

The checks walk the tables row by row, so each frame is turned into plain records (``Rows``) once: a dict
lookup costs a fraction of a microsecond, a pandas row access (``iterrows``, ``.loc``, a boolean filter) tens
of microseconds. The records hold the very values pandas would give (``to_dict("records")``), so every
finding is the same.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

Record = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Rows:
    """A frame as plain records, with its column order (which roles a table has depends on it)."""

    columns: tuple[str, ...]
    records: list[Record]
    # The amount columns some record fills, in column order. Most of the 39 amount columns are
    # empty in a document: the tables of a subset of the records need not look at those again.
    amount_columns: tuple[str, ...]

    @classmethod
    def of(cls, frame: pd.DataFrame | Rows) -> Rows:
        if isinstance(frame, Rows):
            return frame
        columns = tuple(frame.columns)
        if any(isinstance(t, pd.api.extensions.ExtensionDtype) and not isinstance(t, pd.StringDtype)
               for t in frame.dtypes):
            # A nullable column (Int64 …) holds pd.NA, which to_dict turns into None.
            return cls.build(columns, frame.to_dict("records"))
        # The same values as to_dict("records") (Python scalars, NaN for a missing number or
        # string), at a third of its cost: one conversion of the whole frame, not one per cell.
        values = frame.to_numpy(dtype=object)
        filled = ~pd.isna(values).all(axis=0)
        return cls(columns, [dict(zip(columns, row, strict=True)) for row in values.tolist()],
                   tuple(c for c, f in zip(columns, filled, strict=True) if f and is_amount_column(c)))

    @classmethod
    def build(cls, columns: tuple[str, ...], records: list[Record]) -> Rows:
        amounts = [c for c in columns if is_amount_column(c)]
        return cls(columns, records, tuple(c for c in amounts if any(not is_missing(r[c]) for r in records)))

    def subset(self, records: list[Record]) -> Rows:
        """Some of the records (never others: see ``amount_columns``)."""
        return Rows(self.columns, records, self.amount_columns)


def is_amount_column(column: str) -> bool:
    return column.endswith("_wan") and column != "amount_wan"


def is_missing(value) -> bool:
    return value is None or value != value  # None or NaN, what pd.isna says of a cell


def is_missing_key(key: Hashable) -> bool:
    return any(is_missing(k) for k in key) if isinstance(key, tuple) else is_missing(key)


def group_by(records: Iterable[T], key: Callable[[T], Hashable]) -> dict[Hashable, list[T]]:
    """Records by key in the order keys first appear, as ``groupby(sort=False)``; like pandas,
    it leaves out the records whose key is missing."""
    groups: dict[Hashable, list[T]] = defaultdict(list)
    for r in records:
        k = key(r)
        if not is_missing_key(k):
            groups[k].append(r)
    return groups


def by_line(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda r: r["line"])  # stable, as sort_values(kind="stable")


def blank(value) -> Any:
    """A cell with "" for missing, as ``fillna("")``."""
    return "" if is_missing(value) else value


def matches(value, pattern: re.Pattern) -> bool:
    """``str.contains(pattern, na=False)`` on one cell."""
    return isinstance(value, str) and pattern.search(value) is not None


def column_sum(values: Iterable) -> float:
    """Σ of a column with missing cells as 0, summed by numpy as ``Series.fillna(0).sum()`` does
    (pairwise summation: its last bits may differ from Python's ``sum``)."""
    return np.asarray([0.0 if is_missing(v) else v for v in values], dtype=float).sum()


def or_zero(value) -> float:
    return 0.0 if is_missing(value) else float(value)
