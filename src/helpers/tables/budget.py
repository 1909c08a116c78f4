"""Function-coded tables (支出总表, 一般公共预算支出表, 收入表 …) and the two-sided 收支总表 → budget_lines records.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.context import TOTAL_RE, TableContext, is_unit_name
from helpers.tables.layout import Layout, function_class_names, read_row, strip_numbering
from helpers.tables.numbers import normalise_text
from helpers.tables.split import Row, squeeze


@lru_cache(maxsize=1)
def summary_item_rules() -> list[tuple[re.Pattern, str]]:
    table = pd.read_csv(MAPS_DIR / "summary_items.csv", dtype=str)
    return [(re.compile(f"^(?:{p})$"), t) for p, t in zip(table["pattern"], table["row_type"], strict=False)]


@dataclass
class CodeContext:
    func_class: str | None = None
    func_kuan: str | None = None


def split_function_code(
    codes: list[tuple[int, str]], layout: Layout, name: str, context: CodeContext, is_unit=is_unit_name,
) -> dict:
    """Function code parts and unit code from a row's code cells (position, then content)."""
    parts: dict[str, str | None] = {"func_class": None, "func_kuan": None, "func_xiang": None}
    unit_code = None
    repaired = False
    for col, code in codes:
        role = layout.code_cols.get(col)
        if role in parts and parts[role] is None and len(code) <= 3:
            parts[role] = code
        elif role == "unit_code" or len(code) == 6 or (len(code) == 3 and is_unit(name)):
            unit_code = code
        elif len(code) == 7 and code.startswith("2"):
            parts.update(func_class=code[:3], func_kuan=code[3:5], func_xiang=code[5:])
        elif len(code) == 5 and code.startswith("2"):
            parts.update(func_class=code[:3], func_kuan=code[3:5])
        elif len(code) == 3 and parts["func_class"] is None:
            parts["func_class"] = code
        elif len(code) == 2 and parts["func_kuan"] is None:
            parts["func_kuan"] = code
        elif len(code) == 2 and parts["func_xiang"] is None:
            parts["func_xiang"] = code
        else:
            unit_code = code
    cls, kuan, xiang = parts["func_class"], parts["func_kuan"], parts["func_xiang"]
    known = set(function_class_names().values())
    if cls is not None and cls not in known and kuan is not None and context.func_class:
        # A class code mangled by the extraction ("7" for "210"): the row sits under the
        # class of the rows before it.
        cls, repaired = context.func_class, True
    if cls is None and (kuan or xiang):
        cls = context.func_class
        if xiang and kuan is None:
            kuan = context.func_kuan
    if cls and kuan is None and xiang is None:
        context.func_class, context.func_kuan = cls, None
    elif cls and kuan:
        context.func_class, context.func_kuan = cls, kuan
    code = "".join(p for p in (cls, kuan, xiang) if p) if cls else None
    level = {3: "类", 5: "款", 7: "项"}.get(len(code)) if code else None
    return {
        "unit_code": unit_code, "func_code": code, "func_level": level, "func_class": cls,
        "func_kuan": kuan, "func_xiang": xiang, "code_repaired": repaired,
    }


def row_type_of(name: str, func_level: str | None, unit_code: str | None, is_unit=is_unit_name) -> str:
    if func_level:
        return {"类": "class", "款": "kuan", "项": "item"}[func_level]
    if TOTAL_RE.match(name):
        return "total"
    if unit_code or is_unit(name):
        return "unit"
    return "label"


def parse_function_table(ctx: TableContext, layout: Layout) -> list[dict]:
    records: list[dict] = []
    context = CodeContext()
    for row in ctx.table.body:
        parsed = read_row(row, layout)
        ctx.leave_leftovers(parsed)
        name = normalise_text(parsed.name)
        codes = split_function_code(parsed.codes, layout, name, context, ctx.is_unit)
        if not parsed.amounts and not parsed.codes and not name:
            continue
        records.append({
            "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": row.line,
            "side": "income" if ctx.table.kind == "income" else "expenditure",
            "row_type": row_type_of(name, codes["func_level"], codes["unit_code"], ctx.is_unit),
            "name": name, **codes, "realigned": parsed.shifted != 0, **ctx.amounts(parsed),
        })
    return records


def summary_row_type(label: str) -> tuple[str, str | None]:
    """Row type and function class of one side's label."""
    text = strip_numbering(label)
    for regex, row_type in summary_item_rules():
        if regex.match(text):
            return row_type, None
    cls = function_class_names().get(text) or function_class_names().get(text.replace("（类）", ""))
    if cls:
        return "class", cls
    return "source", None


def parse_summary_table(ctx: TableContext, layout: Layout) -> list[dict]:
    """Income side (label, amount) at the left, expenditure side at the right."""
    label_cols = [c for c, path in layout.paths.items() if any(squeeze(p) in {"项目", "项目（科目）"} for p in path)]
    right = label_cols[1] if len(label_cols) > 1 else 2
    sides = {"income": layout.restrict(0, right), "expenditure": layout.restrict(right, 10**6)}
    records: list[dict] = []
    in_classes = False  # the expenditure side has listed a 类: rows that are no 类 now are its 款 and 项
    for row in ctx.table.body:
        cells = row.cells + [""] * max(0, right + 1 - len(row.cells))
        for side, part in (("income", cells[:right]), ("expenditure", [""] * right + cells[right:])):
            sub = Row(row.line, part)
            parsed = read_row(sub, sides[side])
            ctx.leave_leftovers(parsed)
            label = parsed.labels[-1][1] if parsed.labels else ""
            if not label and not parsed.amounts:
                continue
            row_type, cls = summary_row_type(label)
            if side == "expenditure":
                # 浙江 lists 类, 款 and 项 by name under each other on the expenditure side: the 款 and 项 rows
                # detail their 类 and are no items of the side's total.
                in_classes = (in_classes or row_type == "class") and row_type in {"class", "source"}
                if in_classes and row_type == "source":
                    row_type = "class_detail"
            records.append({
                "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": row.line, "side": side,
                "row_type": row_type, "name": normalise_text(label), "func_code": cls,
                "func_level": "类" if cls else None, "func_class": cls,
                "realigned": parsed.shifted != 0, **ctx.amounts(parsed),
            })
    return records
