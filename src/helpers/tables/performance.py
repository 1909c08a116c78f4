"""Interpretation of performance-target tables (绩效目标表) into indicators.

Two shapes exist. Wide tables (Henan) put 成本/产出/效益/满意度 side by side, each a
(三级指标, 指标值) column pair, one project spread over several rows whose cells the
extraction shifts by a column now and then. Long tables (Sichuan, Shandong, Shanghai,
department-wide tables) give one indicator per row under 一级/二级指标 labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.context import TableContext
from helpers.tables.numbers import is_amount, join_code, normalise_text, parse_amount, parse_target
from helpers.tables.split import Row, squeeze

CATEGORY_LEVEL1 = {"成本指标": "成本指标", "产出指标": "产出指标", "效益指标": "效益指标", "满意度指标": "满意度指标"}
PROJECT_LABEL_RE = re.compile(r"^(项目名称|专项资金名称)$")
TYPE_LABEL_RE = re.compile(r"^项目类别$")
TYPE_NAME_RE = re.compile("类$")  # a project type cell: 其他运转类, 特定目标类
CONTAINER_RE = re.compile(r"^(年度)?绩效指标$|^项目绩效目标$")
META_LABEL_RE = re.compile(
    r"^(主管部门|实施单位|项目性质|计划开始日期|计划完成日期|年度总体(绩效)?目标|项目总目标|年度履职目标|"
    r"年度主要任务|任务名称|主要内容|部门名称.*|单位名称|年度目标|主要政策任务.*)$"
)
BUDGET_LABEL_RE = re.compile(
    r"(资金总额|预算总额|申请总额|预算资金|财政拨款|财政资金|其他资金|结转资金|基本支出|项目支出|"
    r"单位资金|专户管理资金|预算数|项目资金)"
)
UNIT_IN_LABEL_RE = re.compile(r"[（(]\s*(万元|元)\s*[)）]")


@lru_cache(maxsize=1)
def level_vocab() -> dict[str, tuple[int, str]]:
    table = pd.read_csv(MAPS_DIR / "indicator_levels.csv", dtype=str)
    return {r.label: (int(r.level), r.level1) for r in table.itertuples()}


@dataclass
class PerfState:
    scope: str
    project: str | None = None
    project_code: str | None = None
    project_unit: str | None = None  # the unit a project list names beside the project (浙江 表11)
    level1: str | None = None
    level2: str | None = None
    last_label: str | None = None
    unit: str | None = None
    indicators: list[dict] = field(default_factory=list)
    budgets: list[dict] = field(default_factory=list)


def parse_performance_table(ctx: TableContext) -> tuple[list[dict], list[dict]]:
    """Indicators and budget amounts of one performance table."""
    rows = ctx.table.rows
    scope = "department" if ctx.table.kind == "dept_performance" else "project"
    state = PerfState(scope=scope, unit=ctx.unit)
    category_cols = _category_columns(ctx.table.header)
    if len(category_cols) >= 2:
        _parse_wide(ctx, rows, category_cols, state)
    else:
        _parse_long(ctx, rows, state)
    return state.indicators, state.budgets


# ---------------------------------------------------------------- shared pieces


def _indicator(ctx: TableContext, state: PerfState, line: int, level1: str | None, level2: str | None,
               name: str, raw: str, note: str | None = None, weight: str | None = None,
               direction: str | None = None) -> dict:
    target = parse_target(raw)
    record = {
        "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": line, "scope": state.scope,
        "project_name": state.project, "project_code": state.project_code,
        "level1": level1, "level2": level2, "indicator": normalise_text(name),
        "operator": target.operator, "target_value": target.target_value,
        "target_high": target.target_high, "unit": target.unit, "target_text": target.target_text,
        "weight": float(weight) if weight and is_amount(weight) else None,
        "direction": direction or None, "note": note or None, "raw": raw,
    }
    state.indicators.append(record)
    return record


def _budget(ctx: TableContext, state: PerfState, line: int, label: str, text: str) -> None:
    value = parse_amount(text)
    if value is None:
        return
    unit = state.unit or ctx.unit
    state.budgets.append({
        "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": line, "scope": state.scope,
        "project_name": state.project, "project_code": state.project_code, "project_unit": state.project_unit,
        "label": normalise_text(label), "amount_wan": ctx.wan_in(value, unit),
    })


def _new_project(state: PerfState, name: str, code: str | None = None) -> None:
    state.project, state.project_code, state.project_unit = normalise_text(name), code, None
    state.level1 = state.level2 = None


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
                _new_project(state, name, code)
            else:
                state.project, state.project_code = None, None  # a unit or total row
            current = {}
            label = "unit_total" if state.project is None else "project_total"
            for i, c in filled:
                if 0 < i <= amount_end and is_amount(c):
                    _budget(ctx, state, row.line, f"{label}:{_wide_amount_label(ctx, i)}", c)
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
            current[level1] = _indicator(ctx, state, row.line, level1, None, name, value)
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


# ---------------------------------------------------------------- long tables


LONG_HEADERS = {"三级指标": "indicator", "指标性质": "nature", "指标值": "value", "度量单位": "unit",
                "权重": "weight", "指标方向性": "direction", "项目名称": "project", "预算数": "amount",
                "金额": "amount", "指标值说明": "note", "一级指标": "level1", "二级指标": "level2",
                "单位名称": "unit_name"}


def _header_columns(rows: list[Row]) -> dict[str, int]:
    """Columns of a long table's header: indicators (一级指标 … 三级指标) or a project list (项目名称 | 金额)."""
    for row in rows:
        found = {LONG_HEADERS[squeeze(c)]: i for i, c in enumerate(row.cells) if squeeze(c) in LONG_HEADERS}
        if {"indicator", "level1"} <= found.keys() or {"project", "amount"} <= found.keys():
            return found
    return {}


def _parse_long(ctx: TableContext, rows: list[Row], state: PerfState) -> None:
    columns = _header_columns(rows)
    split_value = "nature" in columns  # Sichuan: 指标性质 | 指标值 | 度量单位 | 权重
    in_indicators = False
    previous: dict[int, str] = {}
    for row in rows:
        cells = row.cells
        flat = [squeeze(c) for c in cells]
        filled = [(i, c) for i, c in enumerate(cells) if c]
        if not filled:
            continue
        if any(f in {"一级指标", "三级指标"} for f in flat):
            in_indicators = True
            previous = {i: c for i, c in filled}
            continue
        label_idx = next((i for i, f in enumerate(flat) if PROJECT_LABEL_RE.match(f)), None)
        if label_idx is not None and any(squeeze(c) in LONG_HEADERS for i, c in filled if i > label_idx):
            continue  # the header row of a project list (项目名称 | 金额 | 绩效目标), no 项目名称: X pair
        if label_idx is not None:
            name = next((c for i, c in filled if i > label_idx and not TYPE_LABEL_RE.match(squeeze(c))), "")
            _new_project(state, name)
            state.unit = ctx.unit
            in_indicators = False
            type_idx = next((i for i, f in enumerate(flat) if TYPE_LABEL_RE.match(f)), None)
            if type_idx is not None and type_idx + 1 < len(cells):
                state.budgets.append({"doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": row.line,
                                      "scope": state.scope, "project_name": state.project,
                                      "project_code": None, "label": "项目类别",
                                      "amount_wan": None, "project_type": squeeze(cells[type_idx + 1])})
            continue
        if columns.get("project") is not None and _sichuan_project_row(cells, columns):
            _new_project(state, cells[columns["project"]])
            unit_col = columns.get("unit_name")
            if unit_col is not None and unit_col < len(cells) and cells[unit_col]:
                state.project_unit = normalise_text(cells[unit_col])
            _budget(ctx, state, row.line, "预算数", cells[columns["amount"]])
        amounts = [(i, c) for i, c in filled
                   if is_amount(c) and not (in_indicators and _looks_like_target_column(i, columns))]
        labels = [(i, c) for i, c in filled if not is_amount(c)]
        unit_match = next((UNIT_IN_LABEL_RE.search(c) for _, c in labels if UNIT_IN_LABEL_RE.search(c)), None)
        if unit_match:
            state.unit = unit_match.group(1)
        budget_labels = [(i, c) for i, c in labels if BUDGET_LABEL_RE.search(squeeze(c))]
        if amounts and (budget_labels or not in_indicators):
            for i, text in amounts:
                label = next((c for j, c in reversed(labels) if j < i), None) or previous.get(i) or state.last_label
                if label is None:
                    ctx.leave(row.line, i, text, "amount in a performance table without a label")
                    continue
                _budget(ctx, state, row.line, label, text)
            state.last_label = budget_labels[-1][1] if budget_labels else state.last_label
            previous = {i: c for i, c in filled}
            continue
        if budget_labels and not amounts:
            state.last_label = budget_labels[-1][1]
        previous = {i: c for i, c in filled}
        if any(META_LABEL_RE.match(squeeze(c)) for _, c in filled[:2]) or not in_indicators:
            continue
        _long_indicator(ctx, state, row, columns, split_value)


def _sichuan_project_row(cells: list[str], columns: dict[str, int]) -> bool:
    pcol, acol = columns["project"], columns.get("amount")
    return (acol is not None and len(cells) > acol and bool(cells[pcol]) and is_amount(cells[acol]))


def _looks_like_target_column(col: int, columns: dict[str, int]) -> bool:
    return col in {columns.get(k) for k in ("value", "weight", "unit", "indicator", "nature") if k in columns}


def _long_indicator(ctx: TableContext, state: PerfState, row: Row, columns: dict[str, int],
                    split_value: bool) -> None:
    cells = row.cells
    start = columns.get("level1", 0) if split_value else 0
    rest: list[tuple[int, str]] = []
    for i, c in enumerate(cells):
        if i < start or not c:
            continue
        flat = squeeze(c)
        if CONTAINER_RE.match(flat):
            continue
        level = level_vocab().get(flat)
        if level and level[0] == 1 and not rest:
            state.level1, state.level2 = flat, None
        elif level and level[0] == 2 and not rest:
            state.level2 = flat
            state.level1 = state.level1 if state.level1 == level[1] or state.level1 else level[1]
        else:
            rest.append((i, c))
    if not rest:
        return
    if split_value:
        by_col = dict(rest)
        name = by_col.get(columns["indicator"], rest[0][1])
        nature = squeeze(by_col.get(columns["nature"], ""))
        value = squeeze(by_col.get(columns["value"], ""))
        unit = squeeze(by_col.get(columns["unit"], ""))
        weight = by_col.get(columns["weight"])
        if unit and is_amount(unit) and not weight:
            unit, weight = "", unit  # 定性 rows have no unit: the weight moved left
        raw = value if nature in {"定性", ""} else f"{nature}{value}{unit}"
        _indicator(ctx, state, row.line, state.level1, state.level2, name, raw, weight=weight,
                   direction=by_col.get(columns.get("direction", -1)))
        return
    name = rest[0][1]
    value = rest[1][1] if len(rest) > 1 else ""
    note = " ".join(c for _, c in rest[2:]) or None
    _indicator(ctx, state, row.line, state.level1, state.level2, name, value, note=note)
