"""Project tables (项目支出表) → projects, and their total, unit and subtotal rows as budget_lines records.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.budget import CodeContext, row_type_of, split_function_code
from helpers.tables.context import TOTAL_RE, TableContext
from helpers.tables.layout import Layout, ParsedRow, read_row
from helpers.tables.numbers import normalise_text
from helpers.tables.split import Row, squeeze


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


@dataclass
class _Candidate:
    """One body row of a project table, read."""

    row: Row
    parsed: ParsedRow
    project_type: str | None
    texts: list[tuple[int, str]]
    codes: dict
    name_cell: tuple[int, str] | None
    unit_cell: str | None
    is_project: bool
    group: bool = False  # a project name one column left of the next row's: a group of projects


def parse_project_table(ctx: TableContext, layout: Layout) -> tuple[list[dict], list[dict]]:
    """Projects, and the table's total, unit, group and subtotal rows as budget lines.

    Hierarchical tables (吉林: 类型 → 一级项目 → 二级项目) print each group with its subtotal above its projects: a
    row whose next row names a project one column further right is a group, not a project. A row naming only a
    project type (部门特定目标类项目) gives that type to the projects under it."""
    name_col = next((c for c, p in layout.paths.items() if squeeze(p[-1] if p else "") in {"项目名称"}
                     or any(squeeze(x) == "项目名称" for x in p)), None)
    context = CodeContext()
    candidates = [_read_candidate(ctx, layout, row, name_col, context) for row in ctx.table.body]
    named = [c for c in candidates if c.name_cell is not None]
    for here, following in zip(named, named[1:], strict=False):
        if here.is_project and following.name_cell[0] > here.name_cell[0] and not here.codes.get("func_code"):
            here.is_project, here.group = False, True  # a group (一级项目) over the projects of the next column
    projects: list[dict] = []
    lines: list[dict] = []
    pending_subtotals: list[dict] = []
    group_type: str | None = None
    for c in candidates:
        ctx.leave_leftovers(c.parsed)
        if c.project_type and c.name_cell is None:
            group_type = c.project_type  # a type heading: the projects under it are of its type
        if c.is_project:
            raw_name = c.name_cell[1]
            record = {
                "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": c.row.line,
                "project_name": normalise_text(raw_name), "project_name_raw": raw_name,
                "project_type": c.project_type or group_type,
                "project_unit": normalise_text(c.unit_cell) if c.unit_cell else None,
                "func_code": c.codes.get("func_code"), "unit_code": c.codes.get("unit_code"),
                "realigned": c.parsed.shifted != 0, **ctx.amounts(c.parsed),
            }
            record["amount_wan"] = record.get("total_wan")
            projects.append(record)
            for sub in pending_subtotals:
                sub.update({k: c.codes.get(k) for k in ("func_code", "func_level", "func_class",
                                                        "func_kuan", "func_xiang")})
            pending_subtotals = []
            continue
        if not c.parsed.amounts and not c.texts and not c.parsed.codes:
            continue
        name = normalise_text(c.texts[-1][1]) if c.texts else ""
        unit_code = next((code for _, code in c.parsed.codes), None) if not c.codes.get("func_code") else None
        row_type = row_type_of(name, None, unit_code, ctx.is_unit) if name else "total"
        if c.group:
            row_type = "group"
        elif c.project_type and c.name_cell is None:
            row_type, name = "group", c.project_type
        record = {
            "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": c.row.line,
            "side": "expenditure", "row_type": row_type, "name": name, "unit_code": unit_code,
            "realigned": c.parsed.shifted != 0, **ctx.amounts(c.parsed),
        }
        if record["row_type"] == "label":
            record["row_type"] = "item"  # a function-item subtotal above its projects
            pending_subtotals.append(record)
        lines.append(record)
    return projects, lines


def _read_candidate(ctx: TableContext, layout: Layout, row: Row, name_col: int | None,
                    context: CodeContext) -> _Candidate:
    parsed = read_row(row, layout)
    project_type = None
    texts: list[tuple[int, str]] = []
    for col, text in parsed.labels:
        found = project_type_of(text)
        if found and project_type is None:
            project_type = found
        else:
            texts.append((col, text))
    codes = split_function_code(parsed.codes, layout, "", context, ctx.is_unit) if parsed.codes else {}
    name_cell = next(((c, t) for c, t in texts if c == name_col), None)
    if name_cell is None:
        name_cell = next(((c, t) for c, t in texts if not ctx.is_unit(t)), None)
    unit_cell = next((t for c, t in texts if name_cell is None or c != name_cell[0]), None)
    is_project = name_cell is not None and bool(project_type or codes.get("func_code") or (
        not TOTAL_RE.match(squeeze(name_cell[1])) and not ctx.is_unit(name_cell[1])))
    if ctx.table.kind == "general_project" and not codes.get("func_code"):
        is_project = False
    return _Candidate(row, parsed, project_type, texts, codes, name_cell, unit_cell, is_project)
