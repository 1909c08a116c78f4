"""A frame's columns as pandas stores them, for code that reads or builds many columns of small frames.

``frame[c]`` builds a Series around a column each time (tens of microseconds), and ``frame.dtypes`` a Series of
types: for the few hundred columns of one document's tables, more than reading their values costs. The block
manager hands out each column's array as stored (a numpy array, or an extension array such as ``Int64`` or Arrow
strings), the same one ``frame[c].array`` wraps.

Building is the mirror image: ``pd.DataFrame({column: list})`` checks and infers a type for every column (half of
what building a document's frames cost). ``frame_of`` gives the same frame from the set of Python types each column
holds: a set whose type pandas always infers the same way (``NUMPY_TYPES`` and the others, each checked against
pandas by a test) becomes its numpy array at once; any other column goes through pandas' own inference.
``records_frame`` and ``typed_frame`` build on it. Inside a document, strings are held as Python objects
(``plain_strings``), which is what the sets of types assume where they hold a string.

Changing a frame is building another: each ``frame[c] = values`` rebuilt the frame's index and blocks (a tenth of a
millisecond a column), so ``with_columns`` (setitems), ``arranged`` (assign, then reindex) and ``concat_rows``
(``pd.concat`` of frames of the same columns) build the frame they give once, from the arrays, each held to the
pandas operation it stands for by a test.
"""
from __future__ import annotations

import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from itertools import chain
from operator import itemgetter

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

Array = np.ndarray | ExtensionArray
# The tables' string type, fixed as the module loads (pandas' default then): the name "str" read inside
# plain_strings would be numpy's, which writes None as "None".
TEXT = pd.Series(["text"]).dtype
_NONE = type(None)
# The Python types of a column's values → the numpy type pandas' constructor gives the column (a test checks each).
NUMPY_TYPES: dict[frozenset[type], type] = {
    frozenset({float}): np.float64, frozenset({float, _NONE}): np.float64, frozenset({int}): np.int64,
    frozenset({bool}): np.bool_,
}
OBJECT_TYPES = {frozenset({_NONE}), frozenset({bool, float}), frozenset({bool, _NONE})}  # objects, as they are
# Objects, as they are, where strings are held as Python objects (elsewhere pandas infers its string type)
TEXT_TYPES = {frozenset({str}), frozenset({str, _NONE}), frozenset({str, float}), frozenset({str, float, _NONE})}
# typed_frame: the Python types numpy converts to each numeric type as pandas does (None is NaN among floats).
NUMERIC_TYPES = {"float64": {float, int, _NONE}, "int64": {int}}


def column_arrays(frame: pd.DataFrame) -> list[Array]:
    """Every column's array, in column order: ``iget_values`` of each, taken block by block (a 2-D block's rows are
    its columns), without looking up each column's block (a third of the cost)."""
    arrays: list = [None] * frame.shape[1]
    for block in frame._mgr.blocks:
        values, places = block.values, block.mgr_locs.as_array.tolist()
        if values.ndim == 2:
            for row, place in enumerate(places):
                arrays[place] = values[row]
        else:  # an extension array: one column
            arrays[places[0]] = values
    return arrays


def column_types(frame: pd.DataFrame) -> list:
    """Every column's type, in column order (what ``frame.dtypes`` holds, without its Series)."""
    return list(frame._mgr.get_dtypes())


def column_values(frame: pd.DataFrame, column: str) -> Array:
    """One column's array (the frame has the column once)."""
    return frame._mgr.iget_values(frame.columns.get_loc(column))


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


def strings_plain() -> bool:
    """Whether strings are held as Python objects here (inside plain_strings)."""
    with _PlainStrings.lock:
        return _PlainStrings.depth > 0


def text_array(values: list) -> Array:
    """Strings (None where missing) as the frames around hold them: the tables' string type, or plain objects (a
    numpy array of them) inside plain_strings."""
    return object_array(values) if strings_plain() else pd.array(values, dtype=TEXT)


def _string_inference(value: bool | None) -> bool:
    """The option's value, set first unless value is None (pandas 3 warns that the option is deprecated)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if value is not None:
            pd.set_option(STRING_INFERENCE, value)
        return bool(pd.get_option(STRING_INFERENCE))


def records_frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    """Records as a frame of exactly these columns (a column no record has is empty: NaN, float), the frame
    ``from_records`` makes, column by column: most of the 60 columns of a budget table are in no record, and such a
    column, built as floats at once, needs no type inferred from a column of NaN."""
    if not records:  # every column empty, of objects (from_records' frame, built as the others are)
        return frame_of({c: np.empty(0, dtype=object) for c in columns}, 0)
    rows = len(records)
    held = Counter(chain.from_iterable(records))  # how many records hold each column
    empty = np.full(rows, np.nan)
    lists: dict[str, list | Array] = {}
    for column in columns:
        if column not in held:
            lists[column] = empty
        elif held[column] == rows:  # taken at once, with no default to look for
            lists[column] = list(map(itemgetter(column), records))
        else:
            lists[column] = [r.get(column, np.nan) for r in records]
    return frame_of(lists, rows)


def frame_of(columns: dict[str, list | Array], rows: int) -> pd.DataFrame:
    """The frame ``pd.DataFrame(columns)`` makes (index 0…rows-1) from lists of Python values; an array of that
    length is taken as it is."""
    plain = strings_plain()
    arrays = [values if isinstance(values, np.ndarray | ExtensionArray) else _column(values, plain)
              for values in columns.values()]
    inferred = {i: values for i, (values, array) in enumerate(zip(columns.values(), arrays, strict=True))
                if array is None}
    if inferred:  # the constructor's own inference (a Series' differs), for all of them at once
        for i, array in zip(inferred, column_arrays(pd.DataFrame({str(i): v for i, v in inferred.items()})),
                            strict=True):
            arrays[i] = array
    # pandas' own constructor from finished arrays (private: tests/test_frames.py holds it to pd.DataFrame's frame)
    return pd.DataFrame._from_arrays(arrays, columns=column_index(tuple(columns), plain).view(),
                                     index=pd.RangeIndex(rows), verify_integrity=False)


def with_columns(frame: pd.DataFrame, new: dict[str, list | Array],
                 after: dict[str, str] | None = None) -> pd.DataFrame:
    """The frame with new columns, as ``frame[column] = values`` for each would give it (a column the frame has keeps
    its place, another goes last), or moved right after the column ``after`` names for it; built once, where each
    setitem rebuilt the frame's index and blocks (a tenth of a millisecond a column). The frame's columns are unique;
    the frame itself is left as it was (see ``arranged``)."""
    return arranged(frame, placed(list(frame.columns), list(new), after or {}), new)


def placed(columns: list[str], new: list[str], after: dict[str, str]) -> list[str]:
    """The columns with the new ones: a column already there keeps its place and another goes last, unless
    ``after`` names the column it follows (a column already there then moves)."""
    if missing := [anchor for anchor in after.values() if anchor not in columns]:
        raise KeyError(f"no column {', '.join(missing)} to place a column after")
    followers: dict[str, list[str]] = {}
    for moved, anchor in after.items():
        followers.setdefault(anchor, []).append(moved)
    there = set(columns)
    order: list[str] = []
    for column in [*(c for c in columns if c not in after), *(c for c in new if c not in there and c not in after)]:
        order.append(column)
        order.extend(followers.get(column, ()))
    return order


def arranged(frame: pd.DataFrame, columns: list[str], new: dict[str, list | Array] | None = None) -> pd.DataFrame:
    """``frame.assign(**new).reindex(columns=columns)``, built at once: these columns in this order, each from
    ``new`` or the frame, one neither has empty (NaN, float). The frame's columns are unique. The frame is left as it
    was: its extension arrays are copied (as a setitem copies), its numpy columns copied into the new frame's blocks."""
    new = new or {}
    have = dict(zip(frame.columns, column_arrays(frame), strict=True))
    rows = len(frame)
    return _indexed_as(frame_of({c: new[c] if c in new else owned(have[c]) if c in have else np.full(rows, np.nan)
                                 for c in columns}, rows), frame)


def _indexed_as(out: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """out (built with the index 0…n-1) with the frame's index."""
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None):
        out.index = index
    return out


def concat_rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True)`` of frames with the same columns, column by column (pandas' concat
    aligns and checks what such frames do not need: a third of a small frame's time)."""
    columns = frames[0].columns
    if any(not f.columns.equals(columns) for f in frames) or not columns.is_unique:
        return pd.concat(frames, ignore_index=True)
    arrays = [column_arrays(f) for f in frames]
    return pd.DataFrame._from_arrays([concat_arrays([a[i] for a in arrays]) for i in range(len(columns))],
                                     columns=columns.view(), index=pd.RangeIndex(sum(len(f) for f in frames)),
                                     verify_integrity=False)


def concat_arrays(arrays: list[Array]) -> Array:
    """One column of several frames, end to end, with the type ``pd.concat`` gives it."""
    first = arrays[0]
    if all(type(a) is type(first) and a.dtype == first.dtype for a in arrays):
        if isinstance(first, np.ndarray):
            return np.concatenate(arrays)
        return type(first)._concat_same_type(arrays)  # the extension-array interface's own concatenation
    # types that differ (an empty column is float in one document, text in another): pandas' rules decide
    return pd.concat([pd.Series(a, copy=False) for a in arrays], ignore_index=True).array


def owned(values: Array) -> Array:
    """A frame's column to build another frame with: an extension array copied (as a setitem copies it: pandas does
    not know the two frames share it), a numpy array as it is (a new frame's blocks copy it)."""
    return values.copy() if isinstance(values, ExtensionArray) else values


@lru_cache(maxsize=1 << 8)
def column_index(columns: tuple[str, ...], plain: bool) -> pd.Index:
    """The Index ``pd.Index(list(columns))`` makes, built once per set of columns (a table's frames share theirs,
    and inferring its type cost a tenth of building a small frame); each frame takes a view of it, an object of its
    own (one whose ``name`` is set leaves the others as they are)."""
    with plain_strings() if plain else nullcontext():
        return pd.Index(list(columns))


def typed_frame(rows: list[dict], dtypes: dict[str, object]) -> pd.DataFrame:
    """The rows as ``pd.DataFrame({c: pd.Series(values, dtype=dtypes[c])})`` makes them, these columns in this order;
    a column whose values are all of the type asked for is taken as it is, the others are converted by pandas."""
    plain = strings_plain()
    columns = {}
    for column, dtype in dtypes.items():
        values = [row[column] for row in rows]
        types = frozenset(map(type, values))
        if dtype is object or dtype is str and plain and types <= {str}:
            columns[column] = object_array(values)
        elif dtype in ("float64", "int64") and types <= NUMERIC_TYPES[dtype]:
            columns[column] = np.array(values, dtype=dtype)
        elif dtype == "Int64":
            columns[column] = integer_array(values)
        else:
            columns[column] = pd.Series(values, dtype=dtype)._values  # what the frame of Series would hold
    return frame_of(columns, len(rows))


def integer_array(values: list) -> pd.arrays.IntegerArray:
    """The values as ``pd.array(values, dtype="Int64")`` holds them; Python integers and None (1 under the mask of
    a missing one) without its look at every value."""
    if not set(map(type, values)) <= {int, _NONE}:
        return pd.array(values, dtype="Int64")
    data = np.array([1 if v is None else v for v in values], dtype=np.int64)  # beyond int64: OverflowError, as pandas
    return pd.arrays.IntegerArray(data, np.fromiter((v is None for v in values), dtype=bool, count=len(values)))


def object_array(values: list) -> np.ndarray:
    """The values as they are, in a numpy array of objects."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def _column(values: list, plain_strings: bool) -> Array | None:
    """The column's array where its types tell it, None where pandas' inference must decide."""
    types = frozenset(map(type, values))
    if types in OBJECT_TYPES or plain_strings and types in TEXT_TYPES:
        return object_array(values)
    if types in NUMPY_TYPES:
        try:
            return np.array(values, dtype=NUMPY_TYPES[types])
        except OverflowError:  # an integer beyond int64
            pass
    return None
