"""Interpretation stage: raw tables → tidy records (budget, economic, projects).

Reads only the RawTable objects of the format stage, never the text again. Each record
keeps its source line; every numeric cell that fits no tidy table becomes an `unparsed`
record with the reason.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.extract import RawTable, Row, squeeze
from helpers.layout import (
    Layout,
    ParsedRow,
    function_class_names,
    read_row,
    strip_numbering,
)
from helpers.numbers import normalise_text, to_wan

FUNCTION_KINDS = {
    "income", "expenditure", "general_expenditure", "gov_fund", "state_capital", "procurement",
}
ECON_KINDS = {"general_basic_econ", "econ_summary", "basic_econ", "fiscal_econ", "operating_expenses"}
SUMMARY_KINDS = {"summary", "fiscal_summary"}
PROJECT_KINDS = {"projects", "general_project"}
TOTAL_RE = re.compile(r"^(合计|总计|小计|合计数)$")
# A project name's trailing amount (…2024年106万) and the words and marks name_key ignores.
NAME_AMOUNT_RE = re.compile(r"\d{4}年\d+(?:\.\d+)?万元?$")
NAME_NOISE_RE = re.compile(r"年度|项目$|费用|[“”\"'（）()、，,·\-－—]")
UNIT_NAME_RE = re.compile(r"(局|院|中心|办公室|办事处|委员会|站|所|队|馆|学校|医院|单位|部门|本级|机关)(（本级）)?$")


@lru_cache(maxsize=1)
def amount_roles() -> list[str]:
    rules = pd.read_csv(MAPS_DIR / "header_roles.csv", dtype=str, keep_default_na=False)
    roles = [r for r in dict.fromkeys(rules["role"]) if r != "detail"]
    return roles


@lru_cache(maxsize=1)
def econ_class_names() -> dict[str, str]:
    table = pd.read_csv(MAPS_DIR / "econ_classes.csv", dtype=str)
    return dict(zip(table["econ_class"], table["name"], strict=False))


@lru_cache(maxsize=1)
def summary_item_rules() -> list[tuple[re.Pattern, str]]:
    table = pd.read_csv(MAPS_DIR / "summary_items.csv", dtype=str)
    return [(re.compile(f"^(?:{p})$"), t) for p, t in zip(table["pattern"], table["row_type"], strict=False)]


@lru_cache(maxsize=1)
def project_type_rules() -> list[tuple[re.Pattern, str]]:
    table = pd.read_csv(MAPS_DIR / "project_types.csv", dtype=str)
    return [(re.compile(p), t) for p, t in zip(table["pattern"], table["project_type"], strict=False)]


@dataclass
class TableContext:
    """What every record of one table shares."""

    doc_id: str
    table: RawTable
    unit: str
    fiscal_year: int | None
    unparsed: list[dict] = field(default_factory=list)

    def wan(self, value: Decimal) -> float:
        return float(to_wan(value, self.unit))

    def wan_in(self, value: Decimal, unit: str) -> float:
        return float(to_wan(value, unit))

    def amounts(self, parsed: ParsedRow) -> dict[str, float]:
        return {f"{role}_wan": self.wan(v) for role, v in parsed.amounts.items()}

    def leave(self, line: int, col: int | None, text: str, reason: str) -> None:
        self.unparsed.append({
            "doc_id": self.doc_id, "table_kind": self.table.kind, "line": line,
            "column": col, "text": text, "reason": reason,
        })

    def leave_leftovers(self, parsed: ParsedRow) -> None:
        for col, text, reason in parsed.leftover:
            self.leave(parsed.line, col, text, reason)
        for role, value in parsed.prev_amounts.items():
            self.leave(parsed.line, None, str(value), f"previous-year column ({role})")


def is_unit_name(name: str) -> bool:
    return bool(UNIT_NAME_RE.search(squeeze(name)))


# ---------------------------------------------------------------- function-coded tables


@dataclass
class CodeContext:
    func_class: str | None = None
    func_kuan: str | None = None


def split_function_code(
    codes: list[tuple[int, str]], layout: Layout, name: str, context: CodeContext,
) -> dict:
    """Function code parts and unit code from a row's code cells (position, then content)."""
    parts: dict[str, str | None] = {"func_class": None, "func_kuan": None, "func_xiang": None}
    unit_code = None
    repaired = False
    for col, code in codes:
        role = layout.code_cols.get(col)
        if role in parts and parts[role] is None and len(code) <= 3:
            parts[role] = code
        elif role == "unit_code" or len(code) == 6 or (len(code) == 3 and is_unit_name(name)):
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


def row_type_of(name: str, func_level: str | None, unit_code: str | None) -> str:
    if func_level:
        return {"类": "class", "款": "kuan", "项": "item"}[func_level]
    if TOTAL_RE.match(name):
        return "total"
    if unit_code or is_unit_name(name):
        return "unit"
    return "label"


def parse_function_table(ctx: TableContext, layout: Layout) -> list[dict]:
    records: list[dict] = []
    context = CodeContext()
    for row in ctx.table.body:
        parsed = read_row(row, layout)
        ctx.leave_leftovers(parsed)
        name = normalise_text(parsed.name)
        codes = split_function_code(parsed.codes, layout, name, context)
        if not parsed.amounts and not parsed.codes and not name:
            continue
        records.append({
            "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": row.line,
            "side": "income" if ctx.table.kind == "income" else "expenditure",
            "row_type": row_type_of(name, codes["func_level"], codes["unit_code"]),
            "name": name, **codes, "realigned": parsed.shifted != 0, **ctx.amounts(parsed),
        })
    return records


# ---------------------------------------------------------------- 收支总表 (two-sided)


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
            records.append({
                "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": row.line, "side": side,
                "row_type": row_type, "name": normalise_text(label), "func_code": cls,
                "func_level": "类" if cls else None, "func_class": cls,
                "realigned": parsed.shifted != 0, **ctx.amounts(parsed),
            })
    return records


# ---------------------------------------------------------------- economic tables


def split_econ_codes(codes: list[tuple[int, str]]) -> dict:
    """Department (30xxx) and government (50xxx) economic codes from code cells."""
    dept: list[str] = []
    gov: list[str] = []
    unit = None
    for _, code in codes:
        if code[0] == "5" and len(code) in (3, 5):
            gov.append(code)
        elif code[0] == "3" and len(code) in (3, 5) and not (gov and len(code) == 2):
            dept.append(code)
        elif len(code) == 2 and gov:
            gov.append(code)
        elif len(code) == 2 and dept:
            dept.append(code)
        else:
            unit = code
    return {"econ_code": _join_parts(dept), "gov_econ_code": _join_parts(gov), "unit_code": unit}


def _join_parts(parts: list[str]) -> str | None:
    """['301', '08'] → 30108; ['301', '01', '30101'] → 30101."""
    if not parts:
        return None
    full = [p for p in parts if len(p) == 5]
    if full:
        return full[-1]
    return parts[0] + "".join(p for p in parts[1:] if len(p) == 2)[:2]


def parse_econ_table(ctx: TableContext, layout: Layout) -> list[dict]:
    records: list[dict] = []
    codes_by_name: dict[str, str] = {}
    for row in ctx.table.body:
        parsed = read_row(row, layout)
        ctx.leave_leftovers(parsed)
        codes = split_econ_codes(parsed.codes)
        texts = [normalise_text(t) for _, t in parsed.labels]
        name = texts[0] if texts else ""
        gov_name = texts[1] if len(texts) > 1 else None
        extra = texts[2] if len(texts) > 2 else None
        if codes["unit_code"] is None and codes["econ_code"] and len(codes["econ_code"]) == 3:
            if econ_class_names().get(codes["econ_code"]) != name and is_unit_name(name):
                codes["unit_code"], codes["econ_code"] = codes["econ_code"], None
        inferred = False
        if codes["econ_code"] is None and name in codes_by_name and not TOTAL_RE.match(name):
            codes["econ_code"], inferred = codes_by_name[name], True  # same item printed twice
        if codes["econ_code"]:
            codes_by_name.setdefault(name, codes["econ_code"])
        if not parsed.amounts and not codes["econ_code"] and not name:
            continue
        if codes["econ_code"]:
            row_type = "class" if len(codes["econ_code"]) == 3 else "item"
        elif TOTAL_RE.match(name):
            row_type = "total"
        elif codes["unit_code"] or is_unit_name(name):
            row_type = "unit"
        else:
            row_type = "label"
        records.append({
            "doc_id": ctx.doc_id, "table_kind": ctx.table.kind, "line": row.line,
            "row_type": row_type, "econ_code": codes["econ_code"],
            "econ_class": codes["econ_code"][:3] if codes["econ_code"] else None,
            "econ_name": name, "gov_econ_code": codes["gov_econ_code"], "gov_econ_name": gov_name,
            "expense_type": extra, "unit_code": codes["unit_code"], "code_inferred": inferred,
            "realigned": parsed.shifted != 0, **ctx.amounts(parsed),
        })
    return records


# ---------------------------------------------------------------- project tables


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


def match_name(name: str, candidates: list[str]) -> str | None:
    """The candidate naming the same project: equal once normalised, else the closest."""
    key = name_key(name)
    keyed = {name_key(c): c for c in candidates}
    if key in keyed:
        return keyed[key]
    close = difflib.get_close_matches(key, list(keyed), n=1, cutoff=0.85)
    return keyed[close[0]] if close else None


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    # Cached: matching compares every project name with every candidate's.
    text = normalise_text(str(name))
    text = NAME_AMOUNT_RE.sub("", text)  # …2024年106万: the amount is not the name
    return NAME_NOISE_RE.sub("", text).replace("费", "")
