"""Interpretation of performance-target tables (绩效目标表) into indicators and budget amounts.

Two shapes exist. Wide tables (Henan) put 成本/产出/效益/满意度 side by side, each a
(三级指标, 指标值) column pair, one project spread over several rows whose cells the
extraction shifts by a column now and then: read here. Long tables give one indicator per row
(``performance_long``).
"""
from __future__ import annotations

import re

from helpers.tables.context import TableContext
from helpers.tables.numbers import is_amount, join_code, normalise_text
from helpers.tables.performance_long import parse_long
from helpers.tables.performance_records import PerfState, add_budget, add_indicator, new_project
from helpers.tables.split import Row, squeeze

CATEGORY_LEVEL1 = {"成本指标": "成本指标", "产出指标": "产出指标", "效益指标": "效益指标", "满意度指标": "满意度指标"}
TYPE_NAME_RE = re.compile("类$")  # a project type cell: 其他运转类, 特定目标类


def parse_performance_table(ctx: TableContext) -> tuple[list[dict], list[dict]]:
    """Indicators and budget amounts of one performance table."""
    rows = ctx.table.rows
    scope = "department" if ctx.table.kind == "dept_performance" else "project"
    state = PerfState(scope=scope, unit=ctx.unit)
    category_cols = _category_columns(ctx.table.header)
    if len(category_cols) >= 2:
        _parse_wide(ctx, rows, category_cols, state)
    else:
        parse_long(ctx, rows, state)
    return state.indicators, state.budgets


# ---------------------------------------------------------------- wide tables


def _category_columns(rows: list[Row]) -> dict[int, str]:
    for row in rows:
        found = {i: CATEGORY_LEVEL1[squeeze(c)] for i, c in enumerate(row.cells) if squeeze(c) in CATEGORY_LEVEL1}
        if len(set(found.values())) >= 2:
            return found
    return {}


def _is_project_code(text: str) -> bool:
    code = join_code(text)
    return code is not None and len(code) >= 10


def _parse_wide(ctx: TableContext, rows: list[Row], cats: dict[int, str], state: PerfState) -> None:
    first_cat = min(cats)
    header_lines = {r.line for r in ctx.table.header}
    block_offset = 0
    current: dict[str, dict] = {}  # level1 → last indicator of the current project
    for row in rows:
        if row.line in header_lines:
            continue
        cells = row.cells
        filled = [(i, c) for i, c in enumerate(cells) if c]
        if not filled:
            continue
        amount_end = max((i for i, c in filled if i < first_cat and is_amount(c) and not _is_project_code(c)
                          and i > 0), default=-1)
        first_col, first_text = filled[0]
        is_new = first_col == 0 and (_is_project_code(first_text) or join_code(first_text) is not None)
        if is_new:
            code = join_code(first_text)
            name_cells = [c for i, c in filled if 0 < i <= max(amount_end, 1) and not is_amount(c)]
            type_cells = [c for c in name_cells[1:] if TYPE_NAME_RE.search(squeeze(c))]
            name = name_cells[0] if name_cells else ""
            if code and len(code) >= 10:
                new_project(state, name, code)
            else:
                state.project, state.project_code = None, None  # a unit or total row
            current = {}
            label = "unit_total" if state.project is None else "project_total"
            for i, c in filled:
                if 0 < i <= amount_end and is_amount(c):
                    add_budget(ctx, state, row.line, f"{label}:{_wide_amount_label(ctx, i)}", c)
            if state.project is None:
                for i, c in filled:
                    if i > amount_end and i > 1:
                        ctx.leave(row.line, i, c, "cell beside a unit total row of a performance table")
                continue
            if type_cells:
                state.budgets[-1]["project_type"] = normalise_text(type_cells[0]) if state.budgets else None
            region = [(i, c) for i, c in filled if i > amount_end and i > 1 and c not in type_cells]
        else:
            for i, c in filled:
                if i <= 1 and state.project is not None and not is_amount(c):
                    state.project = normalise_text(state.project + c)  # name broken over rows
                    for rec in state.indicators + state.budgets:
                        if rec["project_code"] == state.project_code and rec["project_code"]:
                            rec["project_name"] = state.project
            region = [(i, c) for i, c in filled if i > 1]
        pairs, lone = _pairs(region)
        assigned = _assign_categories(pairs, cats, block_offset, is_new)
        if is_new and assigned:
            block_offset = round(sum(p - c for (p, _, _), c in assigned) / len(assigned))
        for (_col, name, value), cat_col in assigned:
            level1 = cats[cat_col]
            current[level1] = add_indicator(ctx, state, row.line, level1, None, name, value)
        for col, text in lone:
            target = _nearest_below(col, cats, current)
            if target is None:
                ctx.leave(row.line, col, text, "cell of a performance table outside any indicator")
                continue
            target["indicator"] = normalise_text(target["indicator"] + text)


def _wide_amount_label(ctx: TableContext, col: int) -> str:
    labels = [squeeze(c) for r in ctx.table.header for i, c in enumerate(r.cells) if i == col and c]
    return labels[-1] if labels else f"column{col}"


def _pairs(region: list[tuple[int, str]]) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
    """(name, value) pairs from runs of adjacent cells; a cell with no partner is a
    continuation of a name broken over rows."""
    pairs: list[tuple[int, str, str]] = []
    lone: list[tuple[int, str]] = []
    run: list[tuple[int, str]] = []
    for item in region + [(10**6, "")]:
        if run and item[0] != run[-1][0] + 1:
            while len(run) >= 2:
                (c1, t1), (_, t2) = run[0], run[1]
                pairs.append((c1, t1, t2))
                run = run[2:]
            lone.extend(run)
            run = []
        if item[1]:
            run.append(item)
    return pairs, lone


def _assign_categories(pairs: list[tuple[int, str, str]], cats: dict[int, str], block_offset: int,
                       is_new: bool) -> list[tuple[tuple[int, str, str], int]]:
    """Give each pair the category column it most plausibly belongs to, left to right."""
    cols = sorted(cats)
    if is_new and len(pairs) == len(cols):
        return list(zip(pairs, cols, strict=False))
    out: list[tuple[tuple[int, str, str], int]] = []
    floor = -1
    for pair in pairs:
        options = [c for c in cols if c > floor]
        if not options:
            break
        # Closest to the block's shift; ties go to the later column (cells get dropped).
        best = min(options, key=lambda c: (abs((pair[0] - c) - block_offset), abs(pair[0] - c), -c))
        out.append((pair, best))
        floor = best
    return out


def _nearest_below(col: int, cats: dict[int, str], current: dict[str, dict]) -> dict | None:
    for cat_col in sorted(cats, reverse=True):
        if cat_col <= col and cats[cat_col] in current:
            return current[cats[cat_col]]
    return None
