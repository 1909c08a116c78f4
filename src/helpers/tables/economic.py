"""Economic-classification tables (301xx / 501xx codes) → economic_lines records.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.context import TOTAL_RE, TableContext
from helpers.tables.layout import Layout, read_row
from helpers.tables.numbers import normalise_text


@lru_cache(maxsize=1)
def econ_class_names() -> dict[str, str]:
    table = pd.read_csv(MAPS_DIR / "econ_classes.csv", dtype=str)
    return dict(zip(table["econ_class"], table["name"], strict=False))


def split_econ_codes(codes: list[tuple[int, str]]) -> dict:
    """Department (30xxx) and government (50xxx) economic codes from code cells."""
    dept: list[str] = []
    gov: list[str] = []
    unit = None
    for _, code in codes:
        if code[0] == "5" and len(code) in (3, 5):
            gov.append(code)
        elif code[0] == "3" and len(code) in (3, 5, 7) and not (gov and len(code) == 2):
            dept.append(code)  # 301, 30102, and 3010201 (重庆 prints sub-items of an item)
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
    full = [p for p in parts if len(p) in (5, 7)]
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
        if (codes["unit_code"] is None and codes["econ_code"] and len(codes["econ_code"]) == 3
                and econ_class_names().get(codes["econ_code"]) != name and ctx.is_unit(name)):
            codes["unit_code"], codes["econ_code"] = codes["econ_code"], None
        inferred = False
        if codes["econ_code"] is None and name in codes_by_name and not TOTAL_RE.match(name):
            codes["econ_code"], inferred = codes_by_name[name], True  # same item printed twice
        if codes["econ_code"] is None and codes["gov_econ_code"]:
            # The row's only code is of the government scheme (广东 表7 lists [512]债务还本支出 among 301 and 302):
            # that code classes the row in this table.
            codes["econ_code"] = codes["gov_econ_code"]
        if codes["econ_code"]:
            codes_by_name.setdefault(name, codes["econ_code"])
        if not parsed.amounts and not codes["econ_code"] and not name:
            continue
        if codes["econ_code"]:
            row_type = {3: "class", 5: "item"}.get(len(codes["econ_code"]), "subitem")
        elif TOTAL_RE.match(name):
            row_type = "total"
        elif codes["unit_code"] or ctx.is_unit(name):
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
