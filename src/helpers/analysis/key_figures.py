"""Key figures of a document: totals, basic/project/personnel/public expenditure, 三公, operating expenses,
procurement and the project count, from the tables (in order of preference) and from the narrative, side by
side. The narrative's figures are its statements (``narrative.statements``), the very rows the checks read: the
first amount stated of each figure's subject (a count for the project count).
"""
from __future__ import annotations

import pandas as pd

from helpers.tables.context import ECON_KINDS

# The figures the narrative may state, in the order key_figures lists them; each is a statement subject.
NARRATIVE_FIGURES: tuple[str, ...] = (
    "total_income", "total_expenditure", "basic_expenditure", "project_expenditure", "personnel_expenditure",
    "public_expenditure", "three_public_total", "three_public_abroad", "three_public_vehicle_purchase",
    "three_public_vehicle_operation", "three_public_reception", "operating_expenses", "procurement_total",
    "project_count",
)
# Where each key figure is read, in order of preference: (table kind, side, row type, column).
KEY_FIGURE_SOURCES: dict[str, list[tuple[str, str | None, str, str]]] = {
    "total_income": [("summary", "income", "grand_total", "total_wan"),
                     ("summary", "income", "current_total", "total_wan")],
    "total_expenditure": [("summary", "expenditure", "grand_total", "total_wan"),
                          ("summary", "expenditure", "current_total", "total_wan")],
    "basic_expenditure": [("expenditure", None, "total", "basic_wan"),
                          ("general_expenditure", None, "total", "basic_wan"),
                          ("summary", "expenditure", "grand_total", "basic_wan")],
    "project_expenditure": [("expenditure", None, "total", "project_wan"),
                            ("general_expenditure", None, "total", "project_wan"),
                            ("projects", None, "total", "total_wan"),
                            ("summary", "expenditure", "grand_total", "project_wan")],
    "personnel_expenditure": [("general_basic_econ", None, "total", "personnel_wan"),
                              ("expenditure", None, "total", "personnel_wan"),
                              ("general_expenditure", None, "total", "personnel_wan"),
                              ("summary", "expenditure", "grand_total", "personnel_wan")],
    "public_expenditure": [("general_basic_econ", None, "total", "public_wan"),
                           ("expenditure", None, "total", "public_wan"),
                           ("general_expenditure", None, "total", "public_wan"),
                           ("summary", "expenditure", "grand_total", "public_wan")],
    "operating_expenses": [("operating_expenses", None, "total", "total_wan")],
    "procurement_total": [("procurement", None, "total", "total_wan")],
}
THREE_PUBLIC_FIGURES = {
    "three_public_total": "three_public_total", "three_public_abroad": "three_public_abroad",
    "three_public_vehicle_purchase": "three_public_vehicle_purchase",
    "three_public_vehicle_operation": "three_public_vehicle_operation",
    "three_public_reception": "three_public_reception", "operating_expenses": "operating_expenses",
}
KEY_FIGURE_COLUMNS = ["doc_id", "figure", "source", "value_wan", "table_kind", "line", "evidence"]


def key_figures(doc_id: str, frames: dict[str, pd.DataFrame], three_public: list[dict],
                statements: pd.DataFrame) -> pd.DataFrame:
    rows = []
    # The columns the sources read, as lists: ~30 lookups filtering a frame each would cost more.
    wanted = {"table_kind", "row_type", "side", "line", *(c for s in KEY_FIGURE_SOURCES.values() for *_, c in s)}
    lists = {name: {c: frames[name][c].tolist() for c in frames[name].columns if c in wanted}
             for name in ("budget_lines", "economic_lines")}
    for figure, sources in KEY_FIGURE_SOURCES.items():
        for kind, side, row_type, column in sources:
            table = lists["economic_lines" if kind in ECON_KINDS else "budget_lines"]
            hit = [i for i, (k, t) in enumerate(zip(table["table_kind"], table["row_type"], strict=True))
                   if k == kind and t == row_type and (side is None or "side" not in table or table["side"][i] == side)]
            filled = [i for i in hit if pd.notna(table[column][i])] if column in table else []
            if filled:
                rows.append((figure, float(table[column][filled[0]]), kind, int(table["line"][filled[0]])))
                break
            if hit and kind in {"expenditure", "general_expenditure", "operating_expenses"}:
                # The total row exists but leaves this column empty: zero, as printed.
                rows.append((figure, 0.0, kind, int(table["line"][hit[0]])))
                break
    seen = {r[0] for r in rows}
    for rec in three_public:
        if rec["figure"] not in seen:
            rows.append((rec["figure"], rec["value_wan"], rec["table_kind"], rec["line"]))
            seen.add(rec["figure"])
    general = [r for r in three_public if r["table_kind"] == "three_public"]
    if general:
        for figure in THREE_PUBLIC_FIGURES:
            if figure.startswith("three_public") and figure not in seen:
                line = general[0]["line"]
                rows.append((figure, 0.0, "three_public", line))  # empty cell in the table: zero
    if not frames["projects"].empty:
        first = frames["projects"].iloc[0]
        rows.append(("project_count", float(len(frames["projects"])), first["table_kind"], int(first["line"])))
    perf = frames["performance_budgets"]
    dept = perf[perf["scope"] == "department"]
    for label_re, figure in ((r"预算总额|资金总额", "performance_budget_total"),
                             (r"基本支出", "performance_budget_basic"),
                             (r"项目支出", "performance_budget_project")):
        hit = dept[dept["label"].str.contains(label_re, na=False)]
        if not hit.empty:
            rows.append((figure, float(hit.iloc[0]["amount_wan"]), "dept_performance", int(hit.iloc[0]["line"])))
    table_rows = pd.DataFrame(rows, columns=["figure", "value_wan", "table_kind", "line"])
    table_rows["source"] = "table"
    table_rows["evidence"] = None
    narr = narrative_key_figures(statements).assign(source="narrative", table_kind=None)
    out = pd.concat([table_rows, narr], ignore_index=True)
    out.insert(0, "doc_id", doc_id)
    return out[KEY_FIGURE_COLUMNS]


def narrative_key_figures(statements: pd.DataFrame) -> pd.DataFrame:
    """Per figure, the first statement of it in the text: columns figure, value_wan, line, evidence."""
    rows = []
    first: dict[str, dict] = {}
    for st in statements.to_dict("records"):
        subject = st["subject"]
        wanted = "count" if subject == "project_count" else "amount"
        if st["kind"] == wanted and subject in NARRATIVE_FIGURES and subject not in first:
            first[subject] = st
    for figure in NARRATIVE_FIGURES:
        if figure in first:
            st = first[figure]
            rows.append({"figure": figure, "value_wan": st["value"], "line": int(st["line"]), "evidence": st["evidence"]})
    dtypes = {"figure": str, "value_wan": "float64", "line": "int64", "evidence": str}
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=t) for c, t in dtypes.items()})
