"""Project tables (项目支出表) → projects, and their total, unit and subtotal rows as budget_lines records.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.budget import CodeContext, row_type_of, split_function_code
from helpers.tables.context import TOTAL_RE, TableContext, is_unit_name
from helpers.tables.layout import Layout, read_row
from helpers.tables.numbers import normalise_text
from helpers.tables.split import squeeze


@lru_cache(maxsize=1)
def project_type_rules() -> list[tuple[re.Pattern, str]]:
    table = pd.read_csv(MAPS_DIR / "project_types.csv", dtype=str)
    return [(re.compile(p), t) for p, t in zip(table["pattern"], table["project_type"], strict=False)]


def project_type_of(text: str) -> str | None:
    flat = squeeze(text)
    for regex, project_type in project_type_rules():
        if regex.fullmatch(flat):
            return project_type
    return None


def parse_project_table(ctx: TableContext, layout: Layout) -> tuple[list[dict], list[dict]]:
    """Projects, and the table's total/unit/subtotal rows as budget lines."""
    name_col = next((c for c, p in layout.paths.items() if squeeze(p[-1] if p else "") in {"项目名称"}
                     or any(squeeze(x) == "项目名称" for x in p)), None)
    projects: list[dict] = []
    lines: list[dict] = []
    context = CodeContext()
    pending_subtotals: list[dict] = []
    for row in ctx.table.body:
        parsed = read_row(row, layout)
        ctx.leave_leftovers(parsed)
        project_type = None
        texts: list[tuple[int, str]] = []
        for col, text in parsed.labels:
            found = project_type_of(text)
            if found and project_type is None:
                project_type = found
            else:
                texts.append((col, text))
        codes = split_function_code(parsed.codes, layout, "", context) if parsed.codes else {}
        name_cell = next(((c, t) for c, t in texts if c == name_col), None)
        if name_cell is None:
            name_cell = next(((c, t) for c, t in texts if not is_unit_name(t)), None)
        unit_cell = next((t for c, t in texts if name_cell is None or c != name_cell[0]), None)
        is_project = name_cell is not None and (project_type or codes.get("func_code") or (
            not TOTAL_RE.match(squeeze(name_cell[1])) and not is_unit_name(name_cell[1])))
        if ctx.table.kind == "general_project" and not codes.get("func_code"):
            is_project = False
        if is_project:
            raw_name = name_cell[1]
            record = {
                "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": row.line,
                "project_name": normalise_text(raw_name), "project_name_raw": raw_name,
                "project_type": project_type,
                "project_unit": normalise_text(unit_cell) if unit_cell else None,
                "func_code": codes.get("func_code"), "unit_code": codes.get("unit_code"),
                "realigned": parsed.shifted != 0, **ctx.amounts(parsed),
            }
            record["amount_wan"] = record.get("total_wan")
            projects.append(record)
            for sub in pending_subtotals:
                sub.update({k: codes.get(k) for k in ("func_code", "func_level", "func_class",
                                                      "func_kuan", "func_xiang")})
            pending_subtotals = []
            continue
        if not parsed.amounts and not texts and not parsed.codes:
            continue
        name = normalise_text(texts[-1][1]) if texts else ""
        unit_code = next((c for _, c in parsed.codes), None) if not codes.get("func_code") else None
        record = {
            "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": row.line,
            "side": "expenditure", "row_type": row_type_of(name, None, unit_code) if name else "total",
            "name": name, "unit_code": unit_code, "realigned": parsed.shifted != 0,
            **ctx.amounts(parsed),
        }
        if record["row_type"] == "label":
            record["row_type"] = "item"  # a function-item subtotal above its projects
            pending_subtotals.append(record)
        lines.append(record)
    return projects, lines
