"""Checks within one table: column identities on every row, rows against the row above them (合计, 单位, 类,
款), the sections and totals of a two-sided 收支总表, and 三公 = its parts.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import partial

import pandas as pd

from helpers.checks.ledger import (
    HALF_CENT,
    Ledger,
    Ref,
    column_identities,
    differs,
    fmt_wan,
    label_of,
    present_roles,
    role_label,
    sum_finding,
)
from helpers.checks.records import Record, Rows, blank, by_line, group_by, is_missing, or_zero

TOTAL_TYPES = {"total", "current_total", "grand_total"}
FUNCTION_LEVELS = {"total": 0, "current_total": 0, "grand_total": 0, "unit": 1, "class": 2, "kuan": 3, "item": 4,
                   "project": 5, "subitem": 5}
SECTION_RE = re.compile(r"^[一二三四五六七八九十]+[、.．]")
SUBSECTION_RE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
OF_WHICH_RE = re.compile(r"^其中")
SUMMARY_TABLES = {"summary", "fiscal_summary"}


def check_column_identities(ledger: Ledger, frame: pd.DataFrame | Rows, what: str) -> None:
    """合计 = 基本 + 项目, 基本 = 人员 + 公用 … on every row, where the table has the columns."""
    rows = Rows.of(frame)
    groups = group_by(rows.records, lambda r: (r["table_kind"], blank(r.get("side", ""))))
    for (kind, _side), table in groups.items():
        present = set(present_roles(rows.subset(table)))
        # Of the ways to split a whole, the one that uses most of the table's columns.
        chosen: dict[tuple[str, str], tuple[str, ...]] = {}
        for whole, parts, group in column_identities():
            used = tuple(p for p in parts if p in present)
            if whole in present and len(used) > len(chosen.get((whole, group), ())):
                chosen[(whole, group)] = used
        if not chosen:
            continue
        for row in table:
            values = {r: row[f"{r}_wan"] for r in present}
            for (whole, _), parts in chosen.items():
                if is_missing(values[whole]) and all(is_missing(values[p]) for p in parts):
                    continue
                if any(_unread(ledger, row, f"{r}_wan") for r in (whole, *parts)):
                    continue  # a cell of the row could not be read: no zero to add up (it is in unparsed)
                sum_finding(ledger, "table.columns", partial(_columns_what, kind, row, what, whole, parts),
                            or_zero(values[whole]), [or_zero(values[p]) for p in parts],
                            partial(_refs, kind, [row]))


# The words and references of a sum's finding, made only when the sum fails (functools.partial binds the row now).
def _columns_what(kind: str, row: Record, what: str, whole: str, parts: tuple[str, ...]) -> str:
    return f"{label_of(kind)} row “{row_name(row)}” ({what}): {role_label(whole)} vs " \
           f"{' + '.join(role_label(p) for p in parts)}"


def _rows_what(kind: str, head: Record, role: str) -> str:
    return f"{label_of(kind)} row “{row_name(head)}”, {role_label(role)}"


def _refs(kind: str, *groups: list[Record]) -> list[Ref]:
    """One reference per group of rows: the whole's row, then its parts' rows."""
    return [Ref(kind, tuple(int(r["line"]) for r in rows)) for rows in groups]


def row_name(row: Record) -> str:
    for attr in ("name", "project_name", "econ_name"):
        value = row.get(attr)
        if isinstance(value, str) and value:
            return value
    return "合计"


def tree_parents(types: list[str], codes: list[str | None], units: list[str | None]) -> list[int | None]:
    """Parent of each row in a table listed top-down: the nearest row above it at a higher
    level (合计 > 单位 > 类 > 款 > 项 > 项目) whose code is a prefix of the row's code; a unit's parent may also be
    the nearest unit above whose unit code is a proper prefix of its own.

    The rows above are kept by level and code as the table is read, so each row looks up its few candidates (one per
    level and prefix of its code) instead of scanning every row above it: linear in the rows, where the scan made a
    200,000-row table quadratic (bench/bench_parents.py)."""
    levels = max(FUNCTION_LEVELS.values()) + 1
    nearest = [-1] * levels  # the nearest row of each level
    nearest_uncoded = [-1] * levels  # … of each level without a code (the parent of any code)
    nearest_coded: dict[tuple[int, str], int] = {}  # (level, code) → the nearest row
    nearest_unit: dict[str, int] = {}  # unit code → the nearest unit row
    parents: list[int | None] = []
    for i, row_type in enumerate(types):
        level = FUNCTION_LEVELS.get(row_type)
        if level is None:
            parents.append(None)
            continue
        code = codes[i]
        found = -1
        for other in range(level):
            if not code:
                found = max(found, nearest[other])
                continue
            found = max(found, nearest_uncoded[other],
                        *(nearest_coded.get((other, code[:n]), -1) for n in range(1, len(code) + 1)))
        unit = units[i]
        if row_type == "unit" and unit:
            found = max(found, *(nearest_unit.get(unit[:n], -1) for n in range(1, len(unit))), -1)
            nearest_unit[unit] = i
        parents.append(found if found >= 0 else None)
        nearest[level] = i
        if code:
            nearest_coded[(level, code)] = i
        else:
            nearest_uncoded[level] = i
    return parents


def check_row_sums(ledger: Ledger, frame: pd.DataFrame | Rows, code_column: str) -> None:
    """Each total, unit, 类 and 款 row equals the sum of the rows directly under it."""
    rows = Rows.of(frame)
    for kind, table in group_by(rows.records, lambda r: r["table_kind"]).items():
        records = by_line(table)
        roles = present_roles(rows.subset(records))
        codes = [c if isinstance(c, str) and c else None for c in (r[code_column] for r in records)]
        units = [u if isinstance(u, str) and u else None for u in (r.get("unit_code") for r in records)]
        parents = tree_parents([r["row_type"] for r in records], codes, units)
        children: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(parents):
            if p is not None:
                children[p].append(i)
        for p in list(children):
            children[p] = _nest_units_by_sums(records, children[p], children)
        for p, kids in children.items():
            head = records[p]
            for role in roles:
                column = f"{role}_wan"
                if is_missing(head[column]) and all(is_missing(records[k][column]) for k in kids):
                    continue
                if any(_unread(ledger, r, column) for r in (head, *(records[k] for k in kids))):
                    continue
                sum_finding(ledger, "table.rows", partial(_rows_what, kind, head, role),
                            or_zero(head[column]), [or_zero(records[k][column]) for k in kids],
                            partial(_refs, kind, [head], [records[k] for k in kids]))


def _nest_units_by_sums(records: list[Record], kids: list[int], children: dict[int, list[int]]) -> list[int]:
    """Unit rows without codes nest by their amounts: a unit row whose own rows fall short of it by exactly the
    amounts of the unit rows right after it is their group (浙江 prints the department, then its units, all as unit
    rows; 广东 prints a unit, its projects, then a unit under it). Returns the kids left directly under the parent;
    the grouped ones move under their group."""
    def uncoded_unit(i: int) -> bool:
        return records[i]["row_type"] == "unit" and is_missing(records[i].get("unit_code"))

    kept, i = [], 0
    while i < len(kids):
        k = kids[i]
        kept.append(k)
        i += 1
        if not uncoded_unit(k):
            continue
        own = children.get(k, [])
        deficit = _main_amount(records[k]) - sum(_main_amount(records[c]) for c in own)
        run, members = 0.0, []
        while i + len(members) < len(kids) and uncoded_unit(kids[i + len(members)]) and run < deficit - HALF_CENT:
            run += _main_amount(records[kids[i + len(members)]])
            members.append(kids[i + len(members)])
        if members and len(own) + len(members) >= 2 and not differs(deficit, run, HALF_CENT * len(members)):
            children[k] = own + members
            i += len(members)
    return kept


def _summary_level(name: str, row_type: str) -> str:
    text = str(name or "").strip()
    if OF_WHICH_RE.match(text):
        return "of_which"
    if SECTION_RE.match(text):
        return "section"
    if row_type in TOTAL_TYPES:
        return "total"
    return "sub" if SUBSECTION_RE.match(text) else "plain"


def check_summary_sides(ledger: Ledger, lines: pd.DataFrame | Rows) -> None:
    """收支总表 and 财政拨款收支总表: each side's totals add up its items (sections = Σ their
    sub-items, each total = the previous total + the items since), and 收入总计 = 支出总计."""
    frame = Rows.of(lines)
    for kind, table in group_by(frame.records, lambda r: r["table_kind"]).items():
        finals: dict[str, Record] = {}
        for side, side_rows in group_by(table, lambda r: r["side"]).items():
            rows = by_line(side_rows)
            roles = present_roles(frame.subset(rows))
            top: list[Record] = []  # items since the last total
            section: Record | None = None
            section_items: list[Record] = []
            running: Record | None = None
            last_total: Record | None = None

            for row in rows:
                level = _summary_level(row["name"], row["row_type"])
                if (level == "section" and row["row_type"] == "class" and section is not None
                        and section["row_type"] in TOTAL_TYPES):
                    level = "plain"  # 吉林: 一、本年支出 then 一、一般公共服务支出 …: numbered classes are its items
                if level == "of_which" or row["row_type"] == "class_detail":
                    continue  # 其中 rows and a 类's 款/项 details are no items of the side
                if level == "section":
                    _close_section(ledger, kind, section, section_items, roles)
                    section, section_items = row, []
                    top.append(row)
                elif level == "total":
                    _close_section(ledger, kind, section, section_items, roles)
                    section, section_items = None, []
                    parts = ([running] if running is not None else []) + top
                    if parts:
                        _check_group(ledger, kind, row, parts, roles, "table.summary")
                    running, top, last_total = row, [], row
                elif section is not None:
                    section_items.append(row)
                else:
                    top.append(row)
            _close_section(ledger, kind, section, section_items, roles)
            if last_total is not None:
                finals[side] = last_total
        if {"income", "expenditure"} <= finals.keys():
            income, spending = finals["income"], finals["expenditure"]
            a, b = _main_amount(income), _main_amount(spending)
            if differs(a, b):
                ledger.add("table.balance", f"{label_of(kind)}: “{income['name']}” {fmt_wan(a)} but "
                           f"“{spending['name']}” {fmt_wan(b)}", a, b,
                           [Ref(kind, (int(income["line"]),)), Ref(kind, (int(spending["line"]),))])


def _close_section(ledger: Ledger, kind: str, section: Record | None, items: list[Record],
                   roles: list[str]) -> None:
    """A numbered section (一、本年收入) equals the sum of the items under it."""
    if section is not None and items:
        _check_group(ledger, kind, section, items, roles, "table.summary")


def _main_amount(row: Record) -> float:
    """A total row's amount: its 合计 column, or the 财政拨款 / 本年 / 一般公共预算 column a side may have instead."""
    for role in ("total", "fiscal_total", "current_year", "general_budget"):
        if not is_missing(row.get(f"{role}_wan")):
            return float(row[f"{role}_wan"])
    return 0.0


def _unread(ledger: Ledger, record: Record, column: str) -> bool:
    """A cell with no value on a line whose cells could not all be read: unknown, not a blank zero."""
    return is_missing(record.get(column)) and int(record["line"]) in ledger.unparsed_lines


def _check_group(ledger: Ledger, kind: str, head: Record, parts: list[Record], roles: list[str],
                 check: str) -> None:
    for role in roles:
        column = f"{role}_wan"
        if is_missing(head.get(column)) and all(is_missing(p.get(column)) for p in parts):
            continue
        if any(_unread(ledger, r, column) for r in (head, *parts)):
            continue
        what = f"{label_of(kind)} {head['side']} “{head['name']}”, {role_label(role)}"
        refs = [Ref(kind, (int(head["line"]),)), Ref(kind, tuple(int(p["line"]) for p in parts))]
        sum_finding(ledger, check, what, or_zero(head.get(column)), [or_zero(p.get(column)) for p in parts], refs)


def check_three_public(ledger: Ledger, three_public: pd.DataFrame | Rows) -> None:
    """“三公”经费 = 因公出国（境）+ 公务用车购置及运行 + 公务接待, for each year and scope printed, on each row of a
    wide table (one row per unit or year) and over the rows of a long one."""
    printed = Rows.of(three_public).records
    by_scope = group_by(printed, lambda r: (r["table_kind"], blank(r.get("scope"))))
    scopes_of = defaultdict(set)
    for kind, scope in by_scope:
        scopes_of[kind].add(scope)
    for (kind, scope), table in by_scope.items():
        figures_on = defaultdict(set)
        for row in table:
            figures_on[row["figure"]].add(row["line"])
        wide = any(len(lines) > 1 for lines in figures_on.values())
        groups = group_by(table, lambda r: r["line"]).values() if wide else [table]
        shown = f"（{SCOPE_NAMES.get(scope, scope)}）" if len(scopes_of[kind]) > 1 else ""
        for group in groups:
            _check_three_public_group(ledger, kind, group, shown)


SCOPE_NAMES = {"all": "合计", "fiscal": "财政拨款", "general": "一般公共预算", "gov_fund": "政府性基金预算",
               "state_capital": "国有资本经营预算"}


def _check_three_public_group(ledger: Ledger, kind: str, table: list[Record], scope: str) -> None:
    prefix = "gov_fund_" if kind == "gov_fund_three_public" else ""
    for period in ("", "_prev_year"):
        values = {}
        where = {}
        for row in table:
            figure = row["figure"].removeprefix(prefix)
            if figure.endswith("_prev_year") != bool(period):
                continue
            role = figure.removesuffix("_prev_year")
            values[role] = row["value_wan"]
            where[role] = int(row["line"])
        chosen = {}
        for whole, parts, group in column_identities():
            if not whole.startswith("three_public") or whole not in values or group in chosen:
                continue
            present = [p for p in parts if p in values]
            if present and not (group == "three_public" and "three_public_vehicle" in parts
                                and "three_public_vehicle" not in values):
                chosen[group] = (whole, present)
        for whole, present in chosen.values():
            what = f"{label_of(kind)}{scope}{'（上年）' if period else ''}: {role_label(whole)}"
            refs = [Ref(kind, (where[whole],)), Ref(kind, tuple(sorted({where[p] for p in present})))]
            sum_finding(ledger, "table.three_public", what, values[whole], [values[p] for p in present], refs)
