"""Tables for people: Chinese column labels with the English name beneath, no index, fixed decimals, missing values
as "—" with the reason where known, long text wrapped in full.

DataFrame.to_html writes the HTML (escaping every cell and label); the page's DataTables (from itables' offline bundle,
see render.py) makes every ``table.report-table`` sortable, filterable and searchable. The labels come from the data
dictionary (chinese_term), so a column is called the same on every page and in the workbook.
"""
from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache

import pandas as pd

from helpers.config import PACKAGE_DIR
from helpers.report.text import clean

MISSING = "—"
# Kinds of column and how a value of each is written; numbers are right-aligned and sort as numbers.
NUMERIC_KINDS = {"wan", "pct", "int", "num1", "num2", "year"}
DICTIONARY_KINDS = {"万元": "wan", "%": "pct", "万元/人": "num2", "count": "int", "persons": "int"}


@dataclass(frozen=True)
class Column:
    name: str  # the frame's column
    zh: str
    en: str
    kind: str = "text"  # text, wan (万元, 2 decimals), pct (%, 1 decimal), int, num1, num2, year, line (L12), page (p. 3)
    missing: str = MISSING  # what a missing value shows: "—", or "— reason" where the reason is known


@cache
def dictionary() -> pd.DataFrame:
    return pd.read_csv(PACKAGE_DIR / "data_dictionary.csv", dtype=str, keep_default_na=False)


@cache
def _terms() -> dict[tuple[str, str], tuple[str, str, str]]:
    """(table, column) → (chinese term, unit, type)."""
    d = dictionary()
    return {(t, c): (zh, unit, kind) for t, c, zh, unit, kind in
            zip(d["table"], d["column"], d["chinese_term"], d["unit"], d["type"], strict=True)}


def _kind(unit: str, kind: str, column: str) -> str:
    if column == "line":
        return "line"
    if column == "page":
        return "page"
    if column == "fiscal_year":
        return "year"
    if unit in DICTIONARY_KINDS:
        return DICTIONARY_KINDS[unit]
    if kind in ("int", "integer"):
        return "int"
    if kind == "float":
        return "num2"
    return "text"


def column(table: str, name: str, **changes) -> Column:
    """The column as the data dictionary describes it (Chinese term, kind from its unit and type)."""
    zh, unit, kind = _terms().get((table, name), (name, "", "string"))
    return replace(Column(name, zh or name, name, _kind(unit, kind, name)), **changes)


def columns(table: str, names: Iterable[str], **overrides: Column) -> list[Column]:
    """Dictionary columns in order; an override (a Column) replaces the one of its name."""
    return [overrides.get(n) or column(table, n) for n in names]


def format_value(value: object, kind: str, missing: str = MISSING) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return missing
    if kind == "text":
        return clean(value)
    if kind == "line":
        return f"L{int(value)}"
    if kind == "page":
        return f"p. {int(value)}"
    if kind == "bool":
        return "是 yes" if value else "否 no"
    number = float(value)
    if kind == "wan" or kind == "num2":
        return f"{number:,.2f}"
    if kind in ("pct", "num1"):
        return f"{number:,.1f}"
    if kind == "year":
        return f"{int(number)}"
    return f"{int(round(number)):,}"


_CONTROL = str.maketrans({"\t": "\\t", "\r": "\\r", "\n": "\\n"})


def _cell(text: str) -> str:
    """Text as DataFrame.to_html writes a cell: control characters spelled out, escaped, trimmed, double spaces kept."""
    text = text.translate(_CONTROL).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").strip()
    return text.replace("  ", "&nbsp;&nbsp;")


def _header(cols: Sequence[Column]) -> list[str]:
    """The two header rows: a Chinese label spans the columns it heads in a row (as to_html's MultiIndex header)."""
    zh = [clean(c.zh) for c in cols]
    top = []
    i = 0
    while i < len(zh):
        span = 1
        while i + span < len(zh) and zh[i + span] == zh[i]:
            span += 1
        tag = f'<th colspan="{span}" halign="left">' if span > 1 else "<th>"
        top.append(f"      {tag}{_cell(zh[i])}</th>")
        i += span
    bottom = [f"      <th>{_cell(clean(c.en))}</th>" for c in cols]
    return ["  <thead>", "    <tr>", *top, "    </tr>", "    <tr>", *bottom, "    </tr>", "  </thead>"]


def table_html(frame: pd.DataFrame, cols: Sequence[Column], caption: str | None = None,
               table_id: str | None = None) -> str:
    """The frame's chosen columns as an HTML table: two header lines (中文, English), no index, every cell escaped.
    Written here in the form DataFrame.to_html gives (tests/test_report_tables.py compares them): pandas' writer cost
    two thirds of a table's time, its Styler ten times more. render.py marks the numeric cells and DataTables sorts
    the columns listed in data-num as numbers."""
    values = [[format_value(v, c.kind, c.missing) for v in frame[c.name].tolist()] for c in cols]
    lines = ['<table class="dataframe report-table">', *_header(cols), "  <tbody>"]
    for row in zip(*values, strict=True):
        lines += ["    <tr>", *(f"      <td>{_cell(v)}</td>" for v in row), "    </tr>"]
    lines += ["  </tbody>", "</table>"]
    out = "\n".join(lines)
    numeric = " ".join(str(i) for i, c in enumerate(cols) if c.kind in NUMERIC_KINDS)
    # an id from the content: the same page whichever worker built it, and after how many other tables
    table_id = table_id or "t" + hashlib.sha1(out.encode()).hexdigest()[:12]
    out = out.replace('<table ', f'<table id="{table_id}" data-num="{numeric}" ', 1)
    if caption:
        out = out.replace(">", f"><caption>{html.escape(clean(caption), quote=False)}</caption>", 1)
    return out


class Table:
    """A table a notebook shows: its HTML is the cell's output (and it knows its rows, for tests)."""

    def __init__(self, frame: pd.DataFrame, cols: Sequence[Column], caption: str | None = None) -> None:
        self.frame, self.cols, self.caption = frame, list(cols), caption

    def _repr_html_(self) -> str:
        return table_html(self.frame, self.cols, self.caption)

    def __len__(self) -> int:
        return len(self.frame)


def note(text_zh: str, text_en: str) -> Table:
    """A one-cell table saying why a table is empty (an empty table would say nothing)."""
    return Table(pd.DataFrame({"note": [f"{text_zh} · {text_en}"]}), [Column("note", "说明", "note")])
