"""Records of performance tables: the reading state of one table, and the indicator and budget rows it yields
(shared by the wide and the long readers)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.context import TableContext
from helpers.tables.numbers import is_amount, normalise_text, parse_amount, parse_target


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

def add_indicator(ctx: TableContext, state: PerfState, line: int, level1: str | None, level2: str | None,
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


def add_budget(ctx: TableContext, state: PerfState, line: int, label: str, text: str) -> None:
    value = parse_amount(text)
    if value is None:
        return
    unit = state.unit or ctx.unit
    state.budgets.append({
        "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": line, "scope": state.scope,
        "project_name": state.project, "project_code": state.project_code, "project_unit": state.project_unit,
        "label": normalise_text(label), "amount_wan": ctx.wan_in(value, unit),
    })


def new_project(state: PerfState, name: str, code: str | None = None) -> None:
    state.project, state.project_code, state.project_unit = normalise_text(name), code, None
    state.level1 = state.level2 = None
