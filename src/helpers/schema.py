"""Column types of the processed tables, from the data dictionary.

Writing every table with the dictionary's types makes a file's schema independent of which
documents are in the batch (an all-empty column stays float, not object) and the bytes of two
runs identical.
"""
from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pandas as pd

from helpers.config import PACKAGE_DIR
from helpers.frames import column_types

# The tables' string type, fixed as the module loads (pandas' default then): the name "str" read inside
# plain_strings would be numpy's, which writes None as "None".
TEXT = pd.Series(["text"]).dtype
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
    """The frame with each column cast to its dictionary type (a column the dictionary lacks is an error)."""
    types = dictionary_types()
    missing = [c for c in frame.columns if (table, c) not in types]
    if missing:
        raise KeyError(f"data_dictionary.csv: table {table} lacks column(s) {', '.join(missing)}")
    out = frame.copy(deep=False)
    for column, dtype in frame.dtypes.items():
        kind = types[(table, column)]
        if dtype != kind:
            out[column] = cast_column(out[column], kind)
    return out


def cast_column(values: pd.Series, kind: str) -> pd.Series:
    """One column as the pandas type ``kind`` (ValueError or TypeError when a value cannot be held)."""
    if kind == "Int64" and values.dtype == object:
        values = pd.to_numeric(values, errors="raise")
    if kind == "boolean" and values.dtype == object:
        values = values.map(lambda v: v if pd.isna(v) else bool(v), na_action="ignore")
    return values.astype(TEXT if kind == "str" else kind)


def check_schema(frame: pd.DataFrame, table: str) -> None:
    """Raise where apply_schema would (a column the dictionary lacks, a value its type cannot hold), casting only
    the columns that can fail: numeric or boolean ones that hold something else. Cheap enough for every document."""
    types = dictionary_types()
    for column, dtype in zip(frame.columns, column_types(frame), strict=True):
        kind = types.get((table, column))
        if kind is None:
            raise KeyError(f"data_dictionary.csv: table {table} lacks column {column}")
        if kind != "str" and not _holds_numbers(dtype):
            cast_column(frame[column], kind)


@cache
def _holds_numbers(dtype: object) -> bool:
    """Numbers or booleans (a column of such a type casts to any numeric or boolean kind); asked per column of
    every frame, answered once per type."""
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


STRING_INFERENCE = "future.infer_string"


class _PlainStrings:
    """How many blocks hold plain strings now, and the option's value before the first (threads of one process,
    such as a Dask worker's, share the option: the first block in sets it, the last one out restores it)."""

    lock = threading.Lock()
    depth = 0
    before = True


@contextmanager
def plain_strings() -> Iterator[None]:
    """Strings held as Python objects, not Arrow arrays, inside the block: a document's frames are small and built
    column by column, where converting every string column to Arrow cost a third of a document's time; the writer
    casts each batch to the dictionary's types once. Where pandas no longer has the option, its default holds."""
    with _PlainStrings.lock:
        try:
            if _PlainStrings.depth == 0:
                _PlainStrings.before = _string_inference(None)
                _string_inference(False)
            _PlainStrings.depth += 1
        except pd.errors.OptionError:
            pass
    try:
        yield
    finally:
        with _PlainStrings.lock:
            if _PlainStrings.depth:
                _PlainStrings.depth -= 1
                if _PlainStrings.depth == 0:
                    _string_inference(_PlainStrings.before)


def text_array(values: list) -> pd.api.extensions.ExtensionArray:
    """Strings (None where missing) as the frames around hold them: the tables' string type, or plain objects
    inside plain_strings."""
    with _PlainStrings.lock:
        plain = _PlainStrings.depth > 0
    return pd.array(values, dtype=object if plain else TEXT)


def _string_inference(value: bool | None) -> bool:
    """The option's value, set first unless value is None (pandas 3 warns that the option is deprecated)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if value is not None:
            pd.set_option(STRING_INFERENCE, value)
        return bool(pd.get_option(STRING_INFERENCE))
