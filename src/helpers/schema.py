"""Column types of the processed tables, from the data dictionary.

Writing every table with the dictionary's types makes a file's schema independent of which
documents are in the batch (an all-empty column stays float, not object) and the bytes of two
runs identical.
"""
from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.arrays import ArrowStringArray

from helpers.config import PACKAGE_DIR
from helpers.frames import TEXT, Array, column_arrays, column_types, column_values, with_columns

PANDAS_TYPES = {"string": "str", "float": "float64", "int": "Int64", "integer": "Int64", "bool": "boolean",
                "boolean": "boolean"}


@cache
def dictionary_types() -> dict[tuple[str, str], str]:
    table = pd.read_csv(PACKAGE_DIR / "data_dictionary.csv", dtype=str, keep_default_na=False)
    return {(t, c): PANDAS_TYPES[kind] for t, c, kind in zip(table["table"], table["column"], table["type"], strict=True)}


@cache
def dictionary_columns() -> dict[str, list[str]]:
    """Each table's columns in the dictionary's order, which is the order of the files' columns (a test checks)."""
    table = pd.read_csv(PACKAGE_DIR / "data_dictionary.csv", dtype=str, keep_default_na=False)
    columns: dict[str, list[str]] = {}
    for name, column in zip(table["table"], table["column"], strict=True):
        columns.setdefault(name, []).append(column)
    return columns


def apply_schema(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The frame with each column cast to its dictionary type (a column the dictionary lacks is an error); the
    columns cast are set at once (``frames.with_columns``)."""
    types = dictionary_types()
    missing = [c for c in frame.columns if (table, c) not in types]
    if missing:
        raise KeyError(f"data_dictionary.csv: table {table} lacks column(s) {', '.join(missing)}")
    cast = {}
    for column, dtype, values in zip(frame.columns, column_types(frame), column_arrays(frame), strict=True):
        kind = types[(table, column)]
        if dtype != kind:
            text = arrow_text(values) if kind == "str" else None
            cast[column] = cast_column(pd.Series(values, copy=False), kind).array if text is None else text
    return with_columns(frame, cast) if cast else frame.copy(deep=False)


def arrow_text(values: Array) -> pd.api.extensions.ExtensionArray | None:
    """A column of Python strings (None or NaN where missing) as the tables' string type, made by Arrow from the
    objects at once; None for any other column, or where that type is not Arrow's (``cast_column`` decides). What
    the cast gives for such a column (``astype``, which first looks at each value in Python: a third of the
    writer's casts)."""
    if TEXT.storage != "pyarrow" or not isinstance(values, np.ndarray) or values.dtype != object:
        return None
    try:
        strings = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value that is not a string: the cast turns it into one
        return None
    return ArrowStringArray(strings, dtype=TEXT)


def cast_column(values: pd.Series, kind: str) -> pd.Series:
    """One column as the pandas type ``kind`` (ValueError or TypeError when a value cannot be held)."""
    if kind == "Int64" and values.dtype == object:
        values = pd.to_numeric(values, errors="raise")
    if kind == "boolean" and values.dtype == object:
        values = values.map(lambda v: v if pd.isna(v) else bool(v), na_action="ignore")
    return values.astype(TEXT if kind == "str" else kind)


def check_schema(frame: pd.DataFrame, table: str) -> None:
    """Raise where apply_schema would (a column the dictionary lacks, a value its type cannot hold), casting only
    the columns that can fail: numeric or boolean ones that hold something else, unless every value is of a type
    that casts whatever it is (``CASTS_ANYWAY``). Cheap enough for every document."""
    types = dictionary_types()
    for column in _to_check(table, tuple(frame.columns), tuple(column_types(frame))):
        kind = types[(table, column)]
        values = column_values(frame, column)
        if not set(map(type, values)) <= CASTS_ANYWAY.get(kind, set()):
            cast_column(frame[column], kind)


# Python types an object column may hold that its cast to the kind never fails on (None and NaN are missing, a bool
# is a boolean as it is); an empty column holds no type at all.
CASTS_ANYWAY = {"boolean": {bool, float, type(None)}, "float64": {float, type(None)}, "Int64": {type(None)}}


@lru_cache(maxsize=1 << 10)
def _to_check(table: str, columns: tuple[str, ...], dtypes: tuple) -> tuple[str, ...]:
    """The columns of a frame whose values must be looked at: numeric or boolean in the dictionary, held as another
    type. A document's frames repeat a few sets of columns and types: each set is answered once."""
    types = dictionary_types()
    checked = []
    for column, dtype in zip(columns, dtypes, strict=True):
        kind = types.get((table, column))
        if kind is None:
            raise KeyError(f"data_dictionary.csv: table {table} lacks column {column}")
        if kind != "str" and not _holds_numbers(dtype):
            checked.append(column)
    return tuple(checked)


@cache
def _holds_numbers(dtype: object) -> bool:
    """Numbers or booleans (a column of such a type casts to any numeric or boolean kind)."""
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
