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
    r"单位资金|专户管理资金|预算数|项目资金|一般公共预算|政府性基金|当年预算|市级支出|补助区县)"
)
BUDGET_LABEL_MAX = 16  # a budget label is a short cell; a long text that mentions 项目支出 is no label
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


LONG_HEADERS = {"三级指标": "indicator", "指标名称": "indicator", "指标性质": "nature", "指标值类型": "nature",
                "指标值": "value", "度量单位": "unit", "计量单位": "unit", "权重": "weight", "指标权重(%)": "weight",
                "指标权重（%）": "weight", "分值": "weight", "指标方向性": "direction", "项目名称": "project",
                "单位（项目）名称": "project", "单位(项目)名称": "project", "预算数": "amount", "金额": "amount",
                "资金总额": "amount", "当年财政拨款预算金额": "amount", "指标值说明": "note", "指标值内容": "note",
                "指标解释": "note", "评（扣）分标准": "scoring", "评(扣)分标准": "scoring", "备注": "remark",
                "一级指标": "level1", "二级指标": "level2", "单位名称": "unit_name", "单位编码": "code",
                "项目编码": "code", "序号": "seq"}
# Header words that make a row the start of an indicator grid (一级指标 … / 重庆's 绩效指标 | 指标名称 | 指标性质).
GRID_START = frozenset({"一级指标", "三级指标", "指标名称"})
# Columns of an indicator grid whose amounts are targets or weights, never budget amounts.
TARGET_ROLES = ("value", "weight", "unit", "indicator", "nature", "seq", "code", "remark", "scoring", "note")
TOTAL_WORDS = frozenset({"合计", "总计"})
OPERATOR_RE = re.compile(r"^[＝=≥≤>＜<＞≧≦]+$|^(定性|定量)$")


def _header_columns(rows: list[Row]) -> dict[str, int]:
    """Columns of a long table's header: indicators (一级指标 … 三级指标, or 指标名称 | 指标性质) or a project list
    (项目名称 | 金额). A header printed over several rows (湖南: 单位（项目）名称 | 资金总额 above 一级指标 …) adds
    the roles of the rows above it."""
    above: dict[str, int] = {}
    project_list: dict[str, int] = {}
    for row in rows:
        if any(is_amount(c) for c in row.cells if c):
            if project_list:
                return project_list
            above = {}
            continue
        found = {LONG_HEADERS[squeeze(c)]: i for i, c in enumerate(row.cells) if squeeze(c) in LONG_HEADERS}
        merged = {**above, **found}
        if {"indicator", "level1"} <= found.keys() or {"indicator", "nature"} <= found.keys():
            return merged
        if {"project", "amount"} <= merged.keys():
            project_list = merged  # a project list, unless an indicator header follows in the same block
        above.update({k: v for k, v in found.items() if k not in above})
    return project_list


def _budget_columns(rows: list[Row]) -> dict[int, str]:
    """Header cells naming a budget amount (资金总额, 一般公共预算, 基本支出 …): column → label."""
    found: dict[int, str] = {}
    for row in rows:
        if any(is_amount(c) for c in row.cells if c):
            break
        for i, c in enumerate(row.cells):
            flat = squeeze(c)
            if flat and BUDGET_LABEL_RE.search(flat) and len(flat) <= BUDGET_LABEL_MAX:
                found[i] = flat
    return found


def _parse_long(ctx: TableContext, rows: list[Row], state: PerfState) -> None:
    columns = _header_columns(rows)
    budget_cols = _budget_columns(rows)
    split_value = "nature" in columns  # Sichuan: 指标性质 | 指标值 | 度量单位 | 权重
    project_starts = _titled_projects(ctx)
    in_indicators = False
    previous: dict[int, str] = {}
    for row in rows:
        if project_starts and row.line >= project_starts[0][0]:
            _new_project(state, project_starts.pop(0)[1])  # 福建: one 绩效目标表 per project, named by its title
            in_indicators = False
        cells = row.cells
        flat = [squeeze(c) for c in cells]
        filled = [(i, c) for i, c in enumerate(cells) if c]
        if not filled:
            continue
        if any(f in GRID_START for f in flat):
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
        if columns.get("project") is not None and _project_row(cells, columns, budget_cols):
            if not _grid_project(ctx, state, row, columns, budget_cols):
                continue  # a 合计 or unit row: its amounts are totals of the projects under it
            if _cell(cells, columns.get("indicator")) or "indicator" not in columns:
                _long_indicator(ctx, state, row, columns, split_value)
            continue
        grid = in_indicators and _is_grid(columns)
        # In a grid the indicator columns hold targets (项目支出 ≤ 270 万元), never a budget label or amount.
        region_end = min((columns[k] for k in ("level1", "level2", "indicator") if k in columns), default=10**6)
        filled_budget = [(i, c) for i, c in filled if not grid or i < region_end]
        amounts = [(i, c) for i, c in filled_budget
                   if is_amount(c) and not (in_indicators and _looks_like_target_column(i, columns))]
        labels = [(i, c) for i, c in filled_budget if not is_amount(c)]
        unit_match = next((UNIT_IN_LABEL_RE.search(c) for _, c in labels if UNIT_IN_LABEL_RE.search(c)), None)
        if unit_match:
            state.unit = unit_match.group(1)
        budget_labels = [(i, c) for i, c in labels
                         if BUDGET_LABEL_RE.search(squeeze(c)) and len(squeeze(c)) <= BUDGET_LABEL_MAX]
        if amounts and (budget_labels or not in_indicators or grid):
            for i, text in amounts:
                label = (budget_cols.get(i) if not budget_labels else None) or next(
                    (c for j, c in reversed(labels) if j < i), None) or previous.get(i) or state.last_label
                if label is None:
                    ctx.leave(row.line, i, text, "amount in a performance table without a label")
                    continue
                _budget(ctx, state, row.line, label, text)
            state.last_label = budget_labels[-1][1] if budget_labels else state.last_label
            previous = {i: c for i, c in filled}
            if grid and _cell(cells, columns.get("indicator")):
                _long_indicator(ctx, state, row, columns, split_value)  # 湖南: the unit row carries an indicator
            continue
        if budget_labels and not amounts:
            state.last_label = budget_labels[-1][1]
        previous = {i: c for i, c in filled}
        if any(META_LABEL_RE.match(squeeze(c)) for _, c in filled[:2]) or not in_indicators:
            continue
        _long_indicator(ctx, state, row, columns, split_value)


def _cell(cells: list[str], col: int | None) -> str:
    return cells[col] if col is not None and col < len(cells) else ""


def _project_row(cells: list[str], columns: dict[str, int], budget_cols: dict[int, str]) -> bool:
    """A row of a project grid: a name in the project column and an amount in its amount column."""
    amount_cols = {columns.get("amount"), *budget_cols} - {None}
    return bool(_row_name(cells, columns)) and any(is_amount(_cell(cells, c)) for c in amount_cols)


def _row_name(cells: list[str], columns: dict[str, int]) -> str:
    """The project column's name, or a 合计 printed in the code column (湖南)."""
    name = _cell(cells, columns["project"])
    code = squeeze(_cell(cells, columns.get("code")))
    return name or (code if code in TOTAL_WORDS else "")


def _grid_project(ctx: TableContext, state: PerfState, row: Row, columns: dict[str, int],
                  budget_cols: dict[int, str]) -> bool:
    """Start the project a grid row names, with its amounts; False for a 合计 or unit row (湖南 prints the
    unit above its projects), whose amounts are recorded as the totals they are."""
    cells = row.cells
    name = _row_name(cells, columns)
    labels = dict(budget_cols)
    if columns.get("amount") is not None:
        labels.setdefault(columns["amount"], squeeze(_cell(ctx.table.header[-1].cells, columns["amount"])
                                                      if ctx.table.header else "") or "预算数")
    is_total = squeeze(name) in TOTAL_WORDS or ctx.is_unit(name)
    if is_total:
        state.project = state.project_code = None
        state.project_unit = None if squeeze(name) in TOTAL_WORDS else normalise_text(name)
    else:
        code = join_code(_cell(cells, columns.get("code")))
        _new_project(state, name, code)
        unit_col = columns.get("unit_name")
        if _cell(cells, unit_col):
            state.project_unit = normalise_text(cells[unit_col])
    for col, label in sorted(labels.items()):
        if is_amount(_cell(cells, col)):
            _budget(ctx, state, row.line, f"unit_total:{label}" if is_total else label, cells[col])
    return not is_total


def _titled_projects(ctx: TableContext) -> list[tuple[int, str]]:
    """(first line, project) of each per-project 绩效目标表 of this table, where the titles name the project
    (福建 prints “X项目绩效目标表” above each project's grid; a page break repeats a generic title instead)."""
    if ctx.table.kind == "dept_performance":
        return []
    titles = [(ctx.table.title_line, ctx.table.title), *ctx.table.page_titles]
    named = [(line, name) for line, title in titles if (name := project_of_title(title))]
    return named if len(named) == len(titles) else []


PROJECT_TITLE_RE = re.compile(r"^(?P<name>.+?)(?:项目)?绩效目标表$")
GENERIC_TITLE_RE = re.compile(r"^(\d{4}年度?)?(市级|区级|县级|省级)?(部门)?(整体|项目|项目支出|专项资金|重点专项资金|"
                              r"一般性项目|部门整体支出|整体支出)?$")


def project_of_title(title: str) -> str | None:
    """The project a performance table's title names (“泉州政务”新媒体号运营资金项目绩效目标表), or None for a
    generic title (2026年项目支出绩效目标表)."""
    flat = re.sub(r"[（(][^）)]*[）)]$", "", squeeze(title))
    found = PROJECT_TITLE_RE.match(flat)
    if not found or GENERIC_TITLE_RE.match(re.sub(r"[（(][^）)]*[）)]", "", found.group("name"))):
        return None
    return found.group("name")


def _looks_like_target_column(col: int, columns: dict[str, int]) -> bool:
    return col in {columns.get(k) for k in TARGET_ROLES if k in columns}


def _long_indicator(ctx: TableContext, state: PerfState, row: Row, columns: dict[str, int],
                    split_value: bool) -> None:
    if _cell(row.cells, columns.get("indicator")) and _is_grid(columns):
        _grid_indicator(ctx, state, row, columns)
        return
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
    name = rest[0][1]
    value = rest[1][1] if len(rest) > 1 else ""
    note = " ".join(c for _, c in rest[2:]) or None
    _indicator(ctx, state, row.line, state.level1, state.level2, name, value, note=note)


def _is_grid(columns: dict[str, int]) -> bool:
    """A header whose columns place every field: 指标性质/指标值类型 beside 指标值, a project column, or 重庆's
    指标名称 grid without levels. Other long tables (河南 整体 tables) shift cells, so they are read by position."""
    return "value" in columns and ("nature" in columns or "project" in columns or "level1" not in columns)


def _grid_indicator(ctx: TableContext, state: PerfState, row: Row, columns: dict[str, int]) -> None:
    """An indicator row read by the header's columns: levels carried down, the target from 指标性质/指标值类型 +
    指标值 + 计量单位, the weight, and the explanation, scoring rule and remark as its note."""
    cells = row.cells
    for key in ("level1", "level2"):
        text = squeeze(_cell(cells, columns.get(key)))
        if not text or CONTAINER_RE.match(text):
            continue
        vocab = level_vocab().get(text)
        if (vocab[0] if vocab else 1 if key == "level1" else 2) == 1:
            state.level1, state.level2 = text, None  # 四川 prints 满意度指标 in the 二级 column too
        else:
            state.level2 = text
            state.level1 = state.level1 or (vocab[1] if vocab else None)
    nature = squeeze(_cell(cells, columns.get("nature")))
    value = squeeze(_cell(cells, columns.get("value")))
    unit = squeeze(_cell(cells, columns.get("unit")))
    weight = _cell(cells, columns.get("weight"))
    if unit and is_amount(unit) and not weight:
        unit, weight = "", unit  # 定性 rows have no unit: the weight moved left
    if nature in {"定性", "定量", ""} or not OPERATOR_RE.match(nature):
        raw = value if unit and unit in value or nature == "定性" else f"{value}{unit}"
    else:
        raw = f"{nature}{value}{unit}"
    used = {columns.get(k) for k in ("level1", "level2", "indicator", "nature", "value", "unit", "weight", "project",
                                      "amount", "code", "seq", "unit_name")}
    note = " ".join(c for i, c in enumerate(cells) if c and i not in used and i > columns["indicator"]) or None
    _indicator(ctx, state, row.line, state.level1, state.level2, cells[columns["indicator"]], raw, note=note,
               weight=weight, direction=_cell(cells, columns.get("direction")) or None)
