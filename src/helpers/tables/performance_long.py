"""Long performance tables: one indicator per row under 一级/二级指标 labels (四川, 山东, 上海, department-wide
tables), grids whose header places every field (湖南 单位（项目）名称 | 资金总额 | … | 一级指标 …; 重庆 指标名称 |
指标性质 | 指标值), key–value blocks per project (项目名称: X; 资金总额: Y) and project lists (项目名称 | 金额).
"""
from __future__ import annotations

import re

from helpers.tables.context import TableContext
from helpers.tables.numbers import is_amount, join_code, normalise_text
from helpers.tables.performance_records import PerfState, add_budget, add_indicator, level_vocab, new_project
from helpers.tables.split import Row, squeeze

PROJECT_LABEL_RE = re.compile(r"^(项目名称|专项资金名称)$")
TYPE_LABEL_RE = re.compile(r"^项目类别$")
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
CODE_LABEL_RE = re.compile(r"编码$|代码$")  # 福建 部门预算编码 | 103: a code printed beside its label
UNIT_IN_LABEL_RE = re.compile(r"[（(]\s*(万元|元)\s*[)）]")

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


def parse_long(ctx: TableContext, rows: list[Row], state: PerfState) -> None:
    columns = _header_columns(rows)
    budget_cols = _budget_columns(rows)
    split_value = "nature" in columns  # Sichuan: 指标性质 | 指标值 | 度量单位 | 权重
    project_starts = _titled_projects(ctx)
    # In a grid the indicator columns hold targets (项目支出 ≤ 270 万元), never a budget label or amount.
    region_end = min((columns[k] for k in ("level1", "level2", "indicator") if k in columns), default=10**6)
    seen_left: set[tuple[str, ...]] = set()
    in_indicators = False
    previous: dict[int, str] = {}
    for row in rows:
        if project_starts and row.line >= project_starts[0][0]:
            new_project(state, project_starts.pop(0)[1])  # 福建: one 绩效目标表 per project, named by its title
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
            new_project(state, name)
            state.unit = ctx.unit
            in_indicators = False
            type_idx = next((i for i, f in enumerate(flat) if TYPE_LABEL_RE.match(f)), None)
            if type_idx is not None and type_idx + 1 < len(cells):
                state.budgets.append({"doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": row.line,
                                      "scope": state.scope, "project_name": state.project,
                                      "project_code": None, "label": "项目类别",
                                      "amount_wan": None, "project_type": squeeze(cells[type_idx + 1])})
            continue
        grid = in_indicators and _is_grid(columns)
        left = tuple(squeeze(c) for c in cells[:region_end]) if grid else ()
        repeated = grid and any(left) and left in seen_left  # 湖南 repeats the unit or project row on every page
        seen_left.add(left)
        if columns.get("project") is not None and _project_row(cells, columns, budget_cols):
            if repeated:
                if _cell(cells, columns.get("indicator")):
                    _long_indicator(ctx, state, row, columns, split_value)
                continue
            if not _grid_project(ctx, state, row, columns, budget_cols):
                continue  # a 合计 or unit row: its amounts are totals of the projects under it
            if _cell(cells, columns.get("indicator")) or "indicator" not in columns:
                _long_indicator(ctx, state, row, columns, split_value)
            continue
        filled_budget = [(i, c) for i, c in filled if not grid or i < region_end]
        amounts = [(i, c) for i, c in filled_budget
                   if is_amount(c) and not (in_indicators and _looks_like_target_column(i, columns))]
        labels = [(i, c) for i, c in filled_budget if not is_amount(c)]
        unit_match = next((UNIT_IN_LABEL_RE.search(c) for _, c in labels if UNIT_IN_LABEL_RE.search(c)), None)
        if unit_match:
            state.unit = unit_match.group(1)
        budget_labels = [(i, c) for i, c in labels
                         if BUDGET_LABEL_RE.search(squeeze(c)) and len(squeeze(c)) <= BUDGET_LABEL_MAX]
        if repeated:
            amounts = []
        if amounts and (budget_labels or not in_indicators or grid):
            for i, text in amounts:
                label = (budget_cols.get(i) if not budget_labels else None) or next(
                    (c for j, c in reversed(labels) if j < i), None) or previous.get(i) or state.last_label
                if label is None:
                    ctx.leave(row.line, i, text, "amount in a performance table without a label")
                    continue
                if CODE_LABEL_RE.search(squeeze(label)):
                    ctx.leave(row.line, i, text, f"a code beside its label ({squeeze(label)}), no amount")
                    continue
                add_budget(ctx, state, row.line, label, text)
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
        new_project(state, name, code)
        unit_col = columns.get("unit_name")
        if _cell(cells, unit_col):
            state.project_unit = normalise_text(cells[unit_col])
    for col, label in sorted(labels.items()):
        if is_amount(_cell(cells, col)):
            add_budget(ctx, state, row.line, f"unit_total:{label}" if is_total else label, cells[col])
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
GENERIC_TITLE_RE = re.compile(r"^(\d{4}年度?)?(市级|区级|县级|省级)?(部门)?(整体|项目|项目支出|专项资金|重点专项资金|一般性|"
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
    add_indicator(ctx, state, row.line, state.level1, state.level2, name, value, note=note)


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
    add_indicator(ctx, state, row.line, state.level1, state.level2, cells[columns["indicator"]], raw, note=note,
               weight=weight, direction=_cell(cells, columns.get("direction")) or None)
