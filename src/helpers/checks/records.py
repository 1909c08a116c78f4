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
import pyarrow as pa
from pandas.api.extensions import ExtensionArray

from helpers.frames import Array, column_arrays, column_values

Record = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Rows:
    """A frame as plain records, with its column order (which roles a table has depends on it)."""

    columns: tuple[str, ...]
    records: list[Record]
    # The amount columns some record fills, in column order. Most of the 49 amount columns are
    # empty in a document: the tables of a subset of the records need not look at those again.
    amount_columns: tuple[str, ...]

    @classmethod
    def of(cls, frame: pd.DataFrame | Rows, unread: frozenset[str] = frozenset()) -> Rows:
        """The frame's records; without the ``unread`` columns (which no check reads: ``UNREAD``)."""
        if isinstance(frame, Rows):
            return frame
        columns = tuple(c for c in frame.columns if c not in unread)
        arrays = dict(zip(frame.columns, column_arrays(frame), strict=True))
        if any(isinstance(a.dtype, pd.api.extensions.ExtensionDtype) and a.dtype.na_value is pd.NA
               for a in arrays.values()):
            # A nullable column (Int64, string[python] …) holds pd.NA, which to_dict turns into None.
            return cls.build(columns, records(frame, columns))
        # The same values as to_dict("records") (Python scalars, NaN for a missing number or string) at a fraction
        # of its cost: a list per column, an empty float column (as most of the 49 amount columns of a document)
        # one shared list of NaN.
        nan_list = [float("nan")] * len(frame)
        empty = {c for c in columns if arrays[c].dtype == np.float64 and np.isnan(arrays[c]).all()}
        lists = {c: nan_list if c in empty else _object_list(arrays[c]) for c in columns}
        filled = [c for c in columns if is_amount_column(c) and c not in empty
                  and any(not is_missing(v) for v in lists[c])]
        # Each record a copy of one with NaN in every column, its other columns filled in: the columns keep their
        # order and the empty ones cost nothing per row.
        template = dict.fromkeys(columns, float("nan"))
        live = [c for c in columns if c not in empty]
        filled_in = [] if live else [template.copy() for _ in range(len(frame))]
        for row in zip(*(lists[c] for c in live), strict=True):
            record = template.copy()
            record.update(zip(live, row, strict=True))
            filled_in.append(record)
        return cls(columns, filled_in, tuple(filled))

    @classmethod
    def build(cls, columns: tuple[str, ...], records: list[Record]) -> Rows:
        amounts = [c for c in columns if is_amount_column(c)]
        return cls(columns, records, tuple(c for c in amounts if any(not is_missing(r[c]) for r in records)))

    def subset(self, records: list[Record]) -> Rows:
        """Some of the records (never others: see ``amount_columns``)."""
        return Rows(self.columns, records, self.amount_columns)


def column_lists(frame: pd.DataFrame, columns: Iterable[str]) -> dict[str, list]:
    """Some columns of a frame as lists of the values ``to_dict("records")`` gives (Python scalars, None for pd.NA),
    leaving out the columns the frame lacks. A list per column costs microseconds where a record per row of a wide
    frame costs milliseconds: read only the columns a stage looks at."""
    return {c: _list(column_values(frame, c)) for c in columns if c in frame.columns}


def column_list(series: pd.Series) -> list:
    """A column's values as ``to_dict("records")`` gives them."""
    return _list(series.to_numpy() if _numpy_scalars(series.dtype) else series.array)


def _list(values: Array) -> list:
    dtype = values.dtype
    if _arrow_strings(dtype):
        return _strings(values, None if dtype.na_value is pd.NA else dtype.na_value)
    out = values.tolist()
    if dtype == np.dtype(object) or isinstance(dtype, pd.api.extensions.ExtensionDtype):
        # to_dict converts these cells one by one (a Python string, number or None is already what it gives).
        out = [v if type(v) in PLAIN else native(v) for v in out]
    return out


def records(frame: pd.DataFrame, columns: Iterable[str]) -> list[Record]:
    """The rows of a frame as records of some of its columns (those it has), values as ``column_lists``."""
    lists = column_lists(frame, columns)
    return [dict(zip(lists, row, strict=True)) for row in zip(*lists.values(), strict=True)] if lists else \
        [{} for _ in range(len(frame))]


def _object_list(values: Array) -> list:
    """A column's values as ``to_numpy(dtype=object)`` gives them."""
    if _arrow_strings(values.dtype):
        return _strings(values, values.dtype.na_value)
    if isinstance(values, np.ndarray) and _numpy_scalars(values.dtype):
        return values.tolist()  # the Python scalars an object array of them holds
    return np.asarray(values, dtype=object).tolist()


def _numpy_scalars(dtype) -> bool:
    """A numpy type whose ``tolist`` gives the Python scalars pandas gives (a date would come out as an integer)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "biufcO"


def _arrow_strings(dtype) -> bool:
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _strings(values: ExtensionArray, missing: Any) -> list:
    """An Arrow-backed string column through Arrow's own conversion, a tenth of the cost of pandas' one."""
    return [missing if v is None else v for v in pa.array(values).to_pylist()]


PLAIN = frozenset({str, float, int, bool, type(None)})  # exact types: numpy's float64 subclasses float


def native(value: Any) -> Any:
    """A cell as to_dict gives it: a numpy scalar as its Python value, pd.NA as None."""
    if value is pd.NA:
        return None
    return value.item() if isinstance(value, np.number | np.bool_) else value


# Columns of the tidy tables that no check reads (no module of helpers.checks names them): left out of the records.
UNREAD = frozenset({
    "doc_id", "func_level", "func_class", "func_kuan", "func_xiang", "code_repaired", "code_inferred", "realigned",
    "econ_class", "gov_econ_code", "gov_econ_name", "expense_type", "project_name_raw", "project_code",
    "performance_name", "first_line", "last_line", "title_inferred", "kind_source", "level2", "target_high", "weight",
    "direction", "raw",
})


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
