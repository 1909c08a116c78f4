"""Every table of a document read into tidy records: each table is sent to the cleaner of its kind, and
every numeric cell that fits no tidy table is kept in ``unparsed`` with its reason.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.frames import records_frame
from helpers.tables.budget import parse_function_table, parse_summary_table
from helpers.tables.context import (
    ECON_KINDS,
    FUNCTION_KINDS,
    PERFORMANCE_KINDS,
    PROJECT_KINDS,
    SUMMARY_KINDS,
    THREE_PUBLIC_KINDS,
    TOTAL_RE,
    TableContext,
    amount_roles,
    family_of,
    table_scope,
)
from helpers.tables.economic import parse_econ_table
from helpers.tables.layout import Layout, build_layout, settle_layout
from helpers.tables.numbers import is_amount
from helpers.tables.performance import parse_performance_table
from helpers.tables.projects import parse_project_table
from helpers.tables.split import RawDocument, RawTable
from helpers.tables.three_public import parse_three_public


def table_row(doc_id: str, table, layout) -> dict:
    """What the format stage saw of one table: where it stands, its columns, its page breaks."""
    lines = [r.line for r in table.rows] or [table.title_line]
    return {
        "doc_id": doc_id, "table_kind": table.kind, "title": table.title, "title_line": table.title_line,
        "first_line": min(lines), "last_line": max(lines), "unit": table.unit, "n_rows": len(table.body),
        "roles": " ".join(dict.fromkeys(r for r in layout.roles.values() if r)),
        "page_break_lines": " ".join(str(n) for n in table.page_lines),
        "empty_page_lines": " ".join(str(n) for n in table.empty_pages),
        "declared_empty": table.declared_empty, "title_inferred": table.title_inferred,
        "label": table.label, "kind_source": table.kind_source, "scope": table_scope(table.kind, table.title),
    }


ROLE_COLUMNS = [f"{r}_wan" for r in amount_roles()]
BUDGET_COLUMNS = [
    "doc_id", "table_kind", "line", "side", "row_type", "name", "unit_code", "func_code",
    "func_level", "func_class", "func_kuan", "func_xiang", "code_repaired", "realigned", *ROLE_COLUMNS,
]
ECON_COLUMNS = [
    "doc_id", "table_kind", "line", "row_type", "econ_code", "econ_class", "econ_name",
    "gov_econ_code", "gov_econ_name", "expense_type", "unit_code", "code_inferred", "realigned",
    *ROLE_COLUMNS,
]
PROJECT_COLUMNS = [
    "doc_id", "table_kind", "line", "project_name", "project_name_raw", "project_type",
    "project_unit", "func_code", "unit_code", "project_code", "performance_name", "amount_wan",
    "realigned", *ROLE_COLUMNS,
]
PERF_BUDGET_COLUMNS = [
    "doc_id", "table_kind", "line", "scope", "project_name", "project_code", "project_unit", "project_type",
    "label", "amount_wan",
]
INDICATOR_COLUMNS = [
    "doc_id", "table_kind", "line", "scope", "project_name", "project_code", "level1", "level2",
    "indicator", "operator", "target_value", "target_high", "unit", "target_text", "weight",
    "direction", "note", "raw",
]
UNPARSED_COLUMNS = ["doc_id", "table_kind", "line", "column", "text", "reason"]
TABLE_COLUMNS = [
    "doc_id", "table_kind", "title", "title_line", "first_line", "last_line", "unit", "n_rows", "roles",
    "page_break_lines", "empty_page_lines", "declared_empty", "title_inferred", "label", "kind_source", "scope",
]


@dataclass
class TableReading:
    """The tidy records of every table of one document."""

    frames: dict[str, pd.DataFrame]  # budget_lines, economic_lines, projects, performance_budgets, indicators,
    # unparsed, tables
    three_public: list[dict]  # every printed 三公 figure (key figures keep one per figure, the checks all)


def table_layout(table: RawTable, fiscal_year: int | None) -> Layout:
    """The layout a table is read with: from its header, settled on its rows (a two-sided summary table settles
    each side on its own, when it is read)."""
    layout = build_layout(table.header, fiscal_year, family_of(table.kind))
    return layout if table.kind in SUMMARY_KINDS else settle_layout(table.body, layout)


def budget_units(doc: RawDocument, default_unit: str, fiscal_year: int | None, layouts: list[Layout]) -> frozenset[str]:
    """The budget units the document's income table lists, one row each (its rows without a function code): the
    rows of other tables that name them are unit rows, whatever their names end with. ``layouts``: each table's
    table_layout."""
    units = set()
    for table, layout in zip(doc.tables, layouts, strict=True):
        if table.kind != "income":
            continue
        ctx = TableContext("", table, table.unit or default_unit, fiscal_year)
        units |= {r["name"] for r in parse_function_table(ctx, layout)
                  if r["row_type"] in ("unit", "label") and not r["func_code"] and r["name"]
                  and not TOTAL_RE.match(r["name"]) and any(k.endswith("_wan") and v is not None for k, v in r.items())}
    return frozenset(units)


def read_tables(doc_id: str, doc: RawDocument, default_unit: str, fiscal_year: int | None) -> TableReading:
    """Send each table to the cleaner of its kind; numbers of a table no cleaner reads go to ``unparsed``."""
    budget, econ, projects, indicators, budgets, unparsed, three_public = [], [], [], [], [], [], []
    tables = []
    # One layout per table, for budget_units and the table's own reading: a row read twice with it is read once.
    layouts = [table_layout(table, fiscal_year) for table in doc.tables]
    units = budget_units(doc, default_unit, fiscal_year, layouts)
    for table, layout in zip(doc.tables, layouts, strict=True):
        ctx = TableContext(doc_id, table, table.unit or default_unit, fiscal_year, units=units)
        tables.append(table_row(doc_id, table, layout))
        if table.kind in SUMMARY_KINDS:
            budget += parse_summary_table(ctx, layout)
        elif table.kind in FUNCTION_KINDS:
            budget += parse_function_table(ctx, layout)
        elif table.kind in ECON_KINDS:
            econ += parse_econ_table(ctx, layout)
        elif table.kind in PROJECT_KINDS:
            found, lines = parse_project_table(ctx, layout)
            projects += found
            budget += lines
        elif table.kind in PERFORMANCE_KINDS:
            found, amounts = parse_performance_table(ctx)
            indicators += found
            budgets += amounts
        elif table.kind in THREE_PUBLIC_KINDS:
            three_public += parse_three_public(ctx, layout)
        else:
            for row in table.body:
                for col, cell in enumerate(row.cells):
                    if is_amount(cell):
                        ctx.leave(row.line, col, cell, f"table of unknown kind (title: {table.title or 'none'})")
        for line, text in table.notes:
            if is_amount(text):
                ctx.leave(line, None, text, "number in a table note")
        unparsed += ctx.unparsed
    frames = {
        "budget_lines": records_frame(budget, BUDGET_COLUMNS),
        "economic_lines": records_frame(econ, ECON_COLUMNS),
        "projects": records_frame(projects, PROJECT_COLUMNS),
        "performance_budgets": records_frame(budgets, PERF_BUDGET_COLUMNS),
        "indicators": records_frame(indicators, INDICATOR_COLUMNS),
        "unparsed": records_frame(unparsed, UNPARSED_COLUMNS),
        "tables": records_frame(tables, TABLE_COLUMNS),
    }
    return TableReading(frames, three_public)
