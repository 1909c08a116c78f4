"""Frames built column by column (helpers.frames.frame_of) are the frames pandas' constructor makes."""
import contextlib

import numpy as np
import pandas as pd
import pytest

from helpers.frames import (
    NUMPY_TYPES,
    OBJECT_TYPES,
    TEXT_TYPES,
    arranged,
    column_arrays,
    concat_rows,
    frame_of,
    integer_array,
    plain_strings,
    text_array,
    typed_frame,
    with_columns,
)

# One column of values per set of types the tables name, then columns pandas' inference decides.
EXAMPLES = {
    frozenset({float}): [1.5, float("nan")],
    frozenset({float, type(None)}): [1.5, None],
    frozenset({int}): [3, -4],
    frozenset({bool}): [True, False],
    frozenset({type(None)}): [None, None],
    frozenset({bool, float}): [True, float("nan")],
    frozenset({bool, type(None)}): [False, None],
    frozenset({str}): ["2101", "运行维护费"],
    frozenset({str, type(None)}): ["2101", None],
    frozenset({str, float}): ["2101", float("nan")],
    frozenset({str, float, type(None)}): ["2101", float("nan"), None],
}
INFERRED = {
    "integers with a gap": [3, None],
    "integers and floats": [2, 2.5],
    "beyond int64": [2**63, 1],
    "numpy floats": [np.float64(1.5), np.float64(2.0)],
    "booleans and integers": [True, 1],
}


def test_every_set_of_types_the_tables_name_has_an_example():
    assert set(EXAMPLES) == set(NUMPY_TYPES) | OBJECT_TYPES | TEXT_TYPES


@pytest.mark.parametrize("plain", [True, False], ids=["plain strings", "pandas strings"])
@pytest.mark.parametrize("values", [*EXAMPLES.values(), *INFERRED.values()],
                         ids=[*(" ".join(sorted(t.__name__ for t in k)) for k in EXAMPLES), *INFERRED])
def test_frame_of_is_the_frame_pandas_makes(values, plain):
    def build():
        columns = {"a": list(values), "line": list(range(len(values))), "empty": np.full(len(values), np.nan)}
        return frame_of(columns, len(values)), pd.DataFrame(columns)

    with plain_strings() if plain else contextlib.nullcontext():
        got, want = build()
    pd.testing.assert_frame_equal(got, want, check_dtype=True, check_column_type=True, check_index_type=True)
    assert [type(v) for v in got["a"].array] == [type(v) for v in want["a"].array]  # None stays None, NaN NaN


def test_a_frame_of_no_rows():
    got = frame_of({"a": [], "b": []}, 0)
    pd.testing.assert_frame_equal(got, pd.DataFrame({"a": [], "b": []}), check_index_type=True)


DTYPES = {"line": "int64", "kind": str, "subject": object, "value": "float64", "year": "Int64"}
ROWS = {
    "typical": [{"line": 3, "kind": "amount", "subject": None, "value": 12.5, "year": 2026},
                {"line": 4, "kind": "share", "subject": "支出", "value": None, "year": None}],
    "integers among the floats": [{"line": 3, "kind": "amount", "subject": "x", "value": 12, "year": 2025}],
    "a number where text is asked": [{"line": 3, "kind": 7, "subject": 1.5, "value": 1.0, "year": None}],
    "no row": [],
}


@pytest.mark.parametrize("plain", [True, False], ids=["plain strings", "pandas strings"])
@pytest.mark.parametrize("rows", ROWS.values(), ids=ROWS.keys())
def test_typed_frame_is_the_frame_of_typed_series(rows, plain):
    def build():
        want = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=d) for c, d in DTYPES.items()})
        return typed_frame(rows, DTYPES), want

    with plain_strings() if plain else contextlib.nullcontext():
        got, want = build()
    pd.testing.assert_frame_equal(got, want, check_dtype=True, check_column_type=True, check_index_type=True)
    # the very values under the mask too: the digests hash the arrays as they are
    assert got["year"].array._data.tolist() == want["year"].array._data.tolist()


def test_frame_of_stores_arrays_as_the_constructor_does():  # a NumPy array pandas wraps is stored unwrapped
    with plain_strings():
        columns = {"name": pd.array(["a", None], dtype=object), "n": pd.array([1, None], dtype="Int64"),
                   "share": np.array([0.5, np.nan])}
        got, want = frame_of(columns, 2), pd.DataFrame(columns, copy=False)
    pd.testing.assert_frame_equal(got, want, check_dtype=True, check_index_type=True)
    assert [type(a) for a in got._mgr.arrays] == [type(a) for a in want._mgr.arrays]


@pytest.mark.parametrize("plain", [True, False], ids=["plain strings", "pandas strings"])
def test_with_columns_is_the_frame_setitems_give(plain):
    def build():
        frame = pd.DataFrame({"line": [3, 4], "name": ["a", None], "n": pd.array([1, None], dtype="Int64")},
                             index=pd.RangeIndex(2))
        new = {"name": ["b", "c"], "kind": text_array(["x", None]), "flag": [True, False]}
        want = frame.copy()
        for column, values in new.items():
            want[column] = values
        got = with_columns(frame, new)
        got["n"] = got["n"].array  # an assignment: the frame built from must not see it
        got.loc[0, "n"] = 9
        return frame, got, want

    with plain_strings() if plain else contextlib.nullcontext():
        frame, got, want = build()
    want.loc[0, "n"] = 9
    pd.testing.assert_frame_equal(got, want, check_dtype=True, check_column_type=True, check_index_type=True)
    assert frame["n"].tolist() == [1, pd.NA]  # the Int64 array was copied, not shared


def test_with_columns_places_a_column_after_another_and_keeps_the_index():
    with plain_strings():
        frame = pd.DataFrame({"first_line": [3, 5], "page": [0, 0], "x": [1.0, 2.0]}, index=[10, 11])
        got = with_columns(frame, {"page": pd.array([1, 2], dtype="Int64"), "last_page": pd.array([2, None], dtype="Int64")},
                           after={"page": "x", "last_page": "first_line"})
    assert list(got.columns) == ["first_line", "last_page", "x", "page"]
    assert got.index.tolist() == [10, 11]
    assert got["page"].tolist() == [1, 2] and got["last_page"].tolist() == [2, pd.NA]
    with pytest.raises(KeyError, match="no column line"):
        with_columns(frame, {"page": [1, 2]}, after={"page": "line"})


@pytest.mark.parametrize("plain", [True, False], ids=["plain strings", "pandas strings"])
def test_arranged_is_assign_then_reindex(plain):
    with plain_strings() if plain else contextlib.nullcontext():
        frame = pd.DataFrame({"b": [1, 2], "a": ["x", None], "n": pd.array([1, None], dtype="Int64")})
        got = arranged(frame, ["doc_id", "a", "missing", "n", "b"], {"doc_id": ["d", "d"]})
        want = frame.assign(doc_id=["d", "d"]).reindex(columns=["doc_id", "a", "missing", "n", "b"])
    pd.testing.assert_frame_equal(got, want, check_dtype=True, check_column_type=True, check_index_type=True)
    got.loc[0, "n"] = 7
    assert frame["n"].tolist() == [1, pd.NA]


@pytest.mark.parametrize("values", [[3, None, 2**40], [], [None], [np.int64(3), None], [1.0, None]],
                         ids=["integers and None", "none", "only None", "numpy integers", "floats"])
def test_integer_array_is_the_array_pandas_makes(values):
    got, want = integer_array(values), pd.array(values, dtype="Int64")
    pd.testing.assert_extension_array_equal(got, want)
    assert got._data.tolist() == want._data.tolist()  # under the mask too: the digests hash the arrays as they are


def test_column_arrays_are_the_arrays_the_frame_gives_column_by_column():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"], "n": pd.array([1, None], dtype="Int64"),
                          "day": pd.to_datetime(["2024-01-01", "2024-01-02"]), "e": [3.0, 4.0]})
    frame.insert(1, "inserted", [5, 6])  # a block of its own, out of the others' order
    for got, column in zip(column_arrays(frame), frame.columns, strict=True):
        want = frame[column]._values  # the array a Series of the column holds
        assert type(got) is type(want) and got.dtype == want.dtype and list(got) == list(want)


@pytest.mark.parametrize("plain", [True, False], ids=["plain strings", "pandas strings"])
def test_concat_rows_is_pandas_concat(plain):
    with plain_strings() if plain else contextlib.nullcontext():
        first = pd.DataFrame({"line": [3, 4], "value": [1.5, None], "name": ["a", None], "empty": [np.nan, np.nan]})
        second = pd.DataFrame({"line": pd.array([5, None], dtype="Int64"), "value": [2.0, 3.0], "name": ["b", "c"],
                               "empty": ["x", None]})
        got, want = concat_rows([first, second]), pd.concat([first, second], ignore_index=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=True, check_column_type=True, check_index_type=True)
