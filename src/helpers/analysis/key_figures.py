"""Key figures of a document: totals, basic/project/personnel/public expenditure, 三公 and its parts, operating
expenses, procurement and the project count, from the tables and from the narrative, side by side, each with the
funds it covers (``scope``: all, fiscal = 财政拨款, general = 一般公共预算, gov_fund, state_capital).

The figures and their definitions are ``maps/key_figures.csv``; where a table figure is read, in order of
preference, is ``maps/key_figure_sources.csv`` (table kind, side, row type, column role). A figure no table prints
is a row with no value (``basis`` missing) and the reason; a blank cell is zero only where the table has the
column (``basis`` blank cell). The narrative's figures are its statements (``narrative.statements``), the rows the
checks read: the first amount stated of each figure's subject (a count for the project count).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from helpers.checks.ledger import column_scopes
from helpers.checks.performance import project_blocks
from helpers.checks.records import column_lists, matches, records
from helpers.config import MAPS_DIR
from helpers.frames import Array, column_values, concat_rows, records_frame, with_columns
from helpers.tables.context import ECON_KINDS

# The figures the narrative may state, in the order key_figures lists them; each is a statement subject.
NARRATIVE_FIGURES: tuple[str, ...] = (
    "total_income", "total_expenditure", "basic_expenditure", "project_expenditure", "personnel_expenditure",
    "public_expenditure", "three_public_total", "three_public_abroad", "three_public_vehicle_purchase",
    "three_public_vehicle_operation", "three_public_reception", "operating_expenses", "procurement_total",
    "project_count",
)
# Figures every disclosure prints under the national scheme: a missing one gets a row saying so.
EXPECTED = ("total_income", "total_expenditure", "basic_expenditure", "project_expenditure",
            "personnel_expenditure", "public_expenditure", "three_public_total")
THREE_PUBLIC_PREFIX = "three_public"
KEY_FIGURE_COLUMNS = ["doc_id", "figure", "source", "scope", "value_wan", "table_kind", "line", "basis", "evidence",
                      "note"]
FIGURE_COLUMNS = [c for c in KEY_FIGURE_COLUMNS if c not in ("doc_id", "source")]  # of one source's rows


@dataclass(frozen=True)
class Source:
    table_kind: str
    side: str | None
    row_type: str
    role: str


@cache
def figure_names() -> dict[str, str]:
    """figure → its Chinese term, in the order of maps/key_figures.csv."""
    table = pd.read_csv(MAPS_DIR / "key_figures.csv", dtype=str)
    return dict(zip(table["figure"], table["chinese_term"], strict=True))


@cache
def figure_sources() -> dict[str, tuple[Source, ...]]:
    table = pd.read_csv(MAPS_DIR / "key_figure_sources.csv", dtype=str, keep_default_na=False)
    sources: dict[str, list[Source]] = {}
    for r in table.itertuples():
        sources.setdefault(r.figure, []).append(Source(r.table_kind, r.side or None, r.row_type, r.role))
    return {figure: tuple(found) for figure, found in sources.items()}


def key_figures(doc_id: str, frames: dict[str, pd.DataFrame], three_public: list[dict],
                statements: pd.DataFrame) -> pd.DataFrame:
    # Only the columns each figure reads, as lists: a record of every column of a wide frame costs milliseconds.
    tables = {t["table_kind"]: t for t in records(frames["tables"], ("table_kind", "scope", "roles"))}
    rows = _table_figures(frames, tables)
    rows += _three_public_figures(three_public, tables)
    found = {r["figure"] for r in rows}
    if len(frames["projects"]):
        first = {c: values[0] for c, values in column_lists(frames["projects"], ("table_kind", "line")).items()}
        kind = first["table_kind"]
        rows.append(_row("project_count", float(len(frames["projects"])), kind, int(first["line"]),
                         _scope(tables, kind), "printed", "projects listed in the table, counted"))
        found.add("project_count")
    rows += _performance_figures(frames["performance_budgets"])
    rows += _performance_project_count(frames["performance_budgets"], frames["indicators"])
    for figure in EXPECTED:
        if figure not in found and not (figure.startswith(THREE_PUBLIC_PREFIX) and "three_public" in tables):
            rows.append(_missing(figure, _why_missing(figure, tables)))
    stated = _narrative_rows(statements)
    if rows and stated:
        # Both parts with doc_id and source in their rows, in the file's column order: the frame concat builds below,
        # without a frame step per added column (an empty part would type those columns object: not here).
        table_part = records_frame([{"doc_id": doc_id, "source": "table", **r} for r in rows], KEY_FIGURE_COLUMNS)
        narrative_part = _typed_narrative(records_frame([{"doc_id": doc_id, "source": "narrative", **r} for r in stated],
                                                        KEY_FIGURE_COLUMNS))
        return concat_rows([table_part, narrative_part])
    table_rows = records_frame(rows, FIGURE_COLUMNS)
    narr = _typed_narrative(records_frame(stated, FIGURE_COLUMNS))
    out = pd.concat([table_rows.assign(source="table"), narr.assign(source="narrative")], ignore_index=True)
    out.insert(0, "doc_id", doc_id)
    return out[KEY_FIGURE_COLUMNS]


def _row(figure: str, value: float | None, kind: str | None, line: int | None, scope: str | None, basis: str,
         note: str | None = None, evidence: str | None = None) -> dict:
    return {"figure": figure, "scope": scope, "value_wan": value, "table_kind": kind, "line": line, "basis": basis,
            "evidence": evidence, "note": note}


def _missing(figure: str, why: str) -> dict:
    return _row(figure, None, None, None, None, "missing", why)


def _scope(tables: dict[str, dict], kind: str, role: str | None = None) -> str:
    return column_scopes().get(role or "") or str(tables.get(kind, {}).get("scope") or "all")


def _table_figures(frames: dict[str, pd.DataFrame], tables: dict[str, dict]) -> list[dict]:
    """Each figure from the first source that prints it; a blank cell counts only where the table has the column."""
    records = {name: _total_rows(frames[name]) for name in ("budget_lines", "economic_lines")}
    rows = []
    for figure, sources in figure_sources().items():
        for src in sources:
            if src.table_kind not in tables:
                continue
            lines = records["economic_lines" if src.table_kind in ECON_KINDS else "budget_lines"]
            hit = [r for r in lines if r["table_kind"] == src.table_kind and r["row_type"] == src.row_type
                   and (src.side is None or r.get("side") == src.side)]
            if not hit:
                continue
            column = f"{src.role}_wan"
            filled = [r for r in hit if column in r and pd.notna(r[column])]
            scope = _scope(tables, src.table_kind, src.role)
            if filled:
                rows.append(_row(figure, float(filled[0][column]), src.table_kind, int(filled[0]["line"]), scope,
                                 "printed"))
                break
            if src.role in str(tables[src.table_kind].get("roles") or "").split():
                rows.append(_row(figure, 0.0, src.table_kind, int(hit[0]["line"]), scope, "blank cell",
                                 "the total row leaves this column blank: zero as printed"))
                break
    return rows


def _total_rows(lines: pd.DataFrame) -> list[dict]:
    """The rows of a row type some source reads (total rows only), with the columns the sources read."""
    row_types, amounts = _source_columns()
    lists = column_lists(lines, ("table_kind", "row_type", "side", "line", *amounts))
    wanted = [i for i, row_type in enumerate(lists["row_type"]) if row_type in row_types]
    return [{c: values[i] for c, values in lists.items()} for i in wanted]


@cache
def _source_columns() -> tuple[frozenset[str], tuple[str, ...]]:
    """The row types and the amount columns the sources of maps/key_figure_sources.csv read."""
    sources = [src for found in figure_sources().values() for src in found]
    return frozenset(src.row_type for src in sources), tuple(dict.fromkeys(f"{src.role}_wan" for src in sources))


def _three_public_figures(records: list[dict], tables: dict[str, dict]) -> list[dict]:
    """The figures of the 三公 table's figures row (its 合计 row, or its only row), this year and the previous."""
    rows, seen = [], set()
    for rec in records:
        if not rec.get("total_row", True) or rec["figure"] in seen:
            continue
        seen.add(rec["figure"])
        basis = "declared empty" if rec.get("declared_empty") else "blank cell" if rec.get("blank") else "printed"
        note = {"declared empty": "the table states it has no data", "blank cell": "blank cell: zero as printed"}
        rows.append(_row(rec["figure"], rec["value_wan"], rec["table_kind"], int(rec["line"]),
                         rec.get("scope") or _scope(tables, rec["table_kind"]), basis, note.get(basis)))
    if "three_public" in tables and "three_public_total" not in seen:
        rows.append(_missing("three_public_total", "the 三公 table was found but no row or column of it is the "
                                                   "“三公”经费 total"))
    return rows


def _performance_figures(perf: pd.DataFrame) -> list[dict]:
    lists = column_lists(perf, ("scope", "label", "amount_wan", "line"))
    dept = [i for i, scope in enumerate(lists["scope"]) if scope == "department"]
    rows = []
    for label_re, figure in ((PERF_TOTAL_RE, "performance_budget_total"), (PERF_BASIC_RE, "performance_budget_basic"),
                             (PERF_PROJECT_RE, "performance_budget_project")):
        hit = next((i for i in dept if matches(lists["label"][i], label_re)), None)
        if hit is not None:
            rows.append(_row(figure, float(lists["amount_wan"][hit]), "dept_performance", int(lists["line"][hit]),
                             "all", "printed"))
    return rows


PERF_TOTAL_RE = re.compile(r"预算总额|资金总额")
PERF_BASIC_RE = re.compile(r"基本支出")
PERF_PROJECT_RE = re.compile(r"项目支出")
PROJECT_PERFORMANCE = "project_performance"
BLOCK_COLUMNS = ("scope", "project_name", "project_unit", "label", "table_kind", "amount_wan", "line")


def _performance_project_count(budgets: pd.DataFrame, indicators: pd.DataFrame) -> list[dict]:
    """The projects of the 项目支出绩效目标表: one per project block (a name, under its unit where printed)."""
    # The budget rows, then the indicator rows without their labels and amounts (as concatenated frames).
    rows = records(budgets, BLOCK_COLUMNS) + [{**r, "label": None, "amount_wan": None}
                                              for r in records(indicators, BLOCK_COLUMNS)]
    blocks = [b for b in project_blocks(rows) if b["table_kind"] == PROJECT_PERFORMANCE]
    if not blocks:
        return []
    return [_row("performance_project_count", float(len(blocks)), PROJECT_PERFORMANCE, int(blocks[0]["line"]),
                 "all", "printed", "project blocks of the table, counted")]


def _why_missing(figure: str, tables: dict[str, dict]) -> str:
    kinds = dict.fromkeys(s.table_kind for s in figure_sources().get(figure, ()))
    present = [k for k in kinds if k in tables]
    if figure.startswith(THREE_PUBLIC_PREFIX):
        return "no “三公” table found"
    if not present:
        return f"none of the tables that print it was found ({', '.join(kinds)})"
    return f"{', '.join(present)} found, but no total row of it prints this column"


def narrative_key_figures(statements: pd.DataFrame) -> pd.DataFrame:
    """Per figure, the first statement of it in the text (columns of key_figures)."""
    return _typed_narrative(records_frame(_narrative_rows(statements), FIGURE_COLUMNS))


def _narrative_rows(statements: pd.DataFrame) -> list[dict]:
    first: dict[str, dict] = {}
    for st in records(statements, ("subject", "kind", "value", "line", "scope", "evidence")):
        subject = st["subject"]
        wanted = "count" if subject == "project_count" else "amount"
        if st["kind"] == wanted and subject in NARRATIVE_FIGURES and subject not in first:
            first[subject] = st
    return [_row(f, first[f]["value"], None, int(first[f]["line"]), first[f]["scope"], "stated",
                 evidence=first[f]["evidence"]) for f in NARRATIVE_FIGURES if f in first]


def _typed_narrative(frame: pd.DataFrame) -> pd.DataFrame:
    """The narrative rows' amounts as floats and lines as integers (a line-less frame would hold them as objects),
    the two columns cast apart and set at once: DataFrame.astype with a dict copies every other column too."""
    return with_columns(frame, {"value_wan": _as_floats(column_values(frame, "value_wan")),
                                "line": _as_integers(column_values(frame, "line"))})


def _as_floats(values: Array) -> Array:
    return values if values.dtype == np.float64 else pd.Series(values, copy=False).astype("float64").array


def _as_integers(values: Array) -> Array:
    """As ``astype("Int64")`` gives them; lines read as int64 (none missing) straight into an Int64 array."""
    if values.dtype == np.int64:
        return pd.arrays.IntegerArray(values.copy(), np.zeros(len(values), dtype=bool))
    return pd.Series(values, copy=False).astype("Int64").array
