"""Frames as plain records for the checks and the analysis: the very values pandas' to_dict gives."""
import math
import re
from pathlib import Path

import pandas as pd

import helpers.checks
from helpers.checks.records import UNREAD, Rows, column_lists, records


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "table_kind": pd.Series(["summary", None, "income"], dtype="str"),
        "line": [3, 4, 5],
        "total_wan": [1.5, None, 2.25],
        "basic_wan": [None, None, None],
        "flag": [True, False, True],
        "code": pd.Series([None, "2101", None], dtype=object),
    })


def _same(a: dict, b: dict) -> bool:
    """Equal records, NaN equal to NaN, each value of the same type."""
    return list(a) == list(b) and all(
        type(a[k]) is type(b[k]) and (a[k] == b[k] or (isinstance(a[k], float) and math.isnan(a[k]) and math.isnan(b[k])))
        for k in a)


def test_rows_hold_what_to_dict_gives_and_know_the_filled_amount_columns():
    frame = _frame()
    rows = Rows.of(frame)
    assert all(_same(got, want) for got, want in zip(rows.records, frame.to_dict("records"), strict=True))
    assert rows.amount_columns == ("total_wan",)


def test_nullable_columns_become_none_as_in_to_dict():
    frame = _frame().assign(count=pd.array([1, None, 2], dtype="Int64"))
    assert all(_same(got, want) for got, want in zip(Rows.of(frame).records, frame.to_dict("records"), strict=True))
    assert all(_same(got, want) for got, want in zip(records(frame, frame.columns), frame.to_dict("records"), strict=True))


def test_columns_read_from_any_block_give_what_to_dict_gives():
    """Float columns that share one two-dimensional block, dates, Python-held strings: each read from its block."""
    wide = pd.DataFrame([[1.0, None, 2.5], [None, None, 4.0]], columns=["a_wan", "b_wan", "c_wan"])
    frame = wide.assign(day=pd.to_datetime(["2026-01-01", "2026-02-01"]), line=[7, 8],
                        name=pd.Series(["甲", None], dtype=pd.StringDtype("python")))
    want = frame.to_dict("records")
    assert all(_same(got, row) for got, row in zip(Rows.of(frame).records, want, strict=True))
    assert all(_same(got, row) for got, row in zip(records(frame, frame.columns), want, strict=True))
    assert Rows.of(frame).amount_columns == ("a_wan", "c_wan")


def test_column_lists_read_only_the_columns_asked_for_that_the_frame_has():
    lists = column_lists(_frame(), ("line", "table_kind", "no_such_column"))
    assert list(lists) == ["line", "table_kind"]
    assert lists["line"] == [3, 4, 5]
    assert lists["table_kind"][0] == "summary" and math.isnan(lists["table_kind"][1])


def _reads(column: str) -> re.Pattern:
    """How a check reads a record's cell: r["c"], r.get("c" …), or a tuple of names it loops over ("a", "c")."""
    name = rf"[\"']{column}[\"']"
    other = r"[\"']\w+[\"']"
    return re.compile(rf"\[{name}\]|get\({name}|\((?:{other},\s*)*{name}(?:,\s*{other})*\)")


def test_unread_columns_leave_the_records_and_no_check_reads_them():
    frame = _frame().assign(doc_id="d", func_class="类")
    rows = Rows.of(frame, UNREAD)
    assert "doc_id" not in rows.columns and all("func_class" not in r for r in rows.records)
    sources = "\n".join(p.read_text(encoding="utf-8") for p in Path(helpers.checks.__file__).parent.glob("*.py")
                        if p.name != "records.py")
    assert _reads("table_kind").search(sources) and _reads("project_unit").search(sources)  # the patterns find reads
    assert {c for c in UNREAD if _reads(c).search(sources)} == set()
