"""Reconciliation stage: check every identity a disclosure implies; each failure is a finding.

Reads only the tidy tables of the cleaning stage (budget_lines, economic_lines, projects,
performance_budgets, indicators, key_figures, tables, narrative_statements), never the text.
The catalogue of checks, with severities and tolerances, is ``maps/checks.csv``.

Tolerances. The tables print amounts to 0.01 万元, so two printings of one figure agree
to within half a cent (``HALF_CENT``) or they differ. A printed total may differ from the
sum of its printed parts by rounding, at most half a cent per part: such differences are
kept as ``info`` findings, larger ones are errors. A figure printed with fewer decimals
(a narrative's 88.3, a performance table's 30.2) is compared within half of its last digit.

Speed. The checks walk the tables row by row, so each frame is turned into plain records
(``Rows``) once: a dict lookup costs a fraction of a microsecond, a pandas row access
(``iterrows``, ``.loc``, a boolean filter) tens of microseconds. The records hold the very
values pandas would give (``to_dict("records")``), so every finding is the same.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from helpers.clean import match_name, name_key
from helpers.config import MAPS_DIR, PACKAGE_DIR
from helpers.layout import role_of_path, strip_numbering

HALF_CENT = 0.005
FLOAT_NOISE = 1e-6
FINDING_COLUMNS = [
    "doc_id", "check", "family", "severity", "cause", "message", "expected", "actual", "difference",
    "tolerance", "refs", "lines",
]
TOTAL_TYPES = {"total", "current_total", "grand_total"}
FUNCTION_LEVELS = {"total": 0, "current_total": 0, "grand_total": 0, "unit": 1, "class": 2, "kuan": 3, "item": 4,
                   "project": 5}
SECTION_RE = re.compile(r"^[一二三四五六七八九十]+[、.．]")
SUBSECTION_RE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
OF_WHICH_RE = re.compile(r"^其中")
SUMMARY_TABLES = {"summary", "fiscal_summary"}

Record = dict[str, Any]
T = TypeVar("T")


# ------------------------------------------------------------------ maps


@lru_cache(maxsize=1)
def check_catalogue() -> dict[str, dict[str, str]]:
    table = pd.read_csv(MAPS_DIR / "checks.csv", dtype=str, keep_default_na=False)
    return {row["check"]: row for row in table.to_dict("records")}


@lru_cache(maxsize=1)
def column_identities() -> list[tuple[str, tuple[str, ...], str]]:
    table = pd.read_csv(MAPS_DIR / "column_identities.csv", dtype=str, keep_default_na=False)
    return [(r.whole, tuple(r.parts.split()), r.group) for r in table.itertuples()]


@lru_cache(maxsize=1)
def table_scopes() -> dict[str, str]:
    table = pd.read_csv(MAPS_DIR / "table_scopes.csv", dtype=str)
    return dict(zip(table["table_kind"], table["scope"], strict=True))


@lru_cache(maxsize=1)
def column_scopes() -> dict[str, str]:
    table = pd.read_csv(MAPS_DIR / "column_scopes.csv", dtype=str)
    return dict(zip(table["role"], table["scope"], strict=True))


@lru_cache(maxsize=1)
def table_labels() -> dict[str, str]:
    """Table kind → its usual Chinese title, for messages."""
    table = pd.read_csv(MAPS_DIR / "table_kinds.csv", dtype=str)
    return {k: d.split(" ")[0] for k, d in zip(table["kind"], table["description"], strict=True)}


@lru_cache(maxsize=1)
def role_labels() -> dict[str, str]:
    """Amount role → its Chinese column name, from the data dictionary."""
    table = pd.read_csv(PACKAGE_DIR / "data_dictionary.csv", dtype=str, keep_default_na=False)
    rows = table[(table["table"] == "budget_lines") & table["column"].str.endswith("_wan")]
    return {c[:-4]: (t or c[:-4]) for c, t in zip(rows["column"], rows["chinese_term"], strict=True)}


def label_of(kind: str) -> str:
    return table_labels().get(kind, kind)


def role_label(role: str) -> str:
    return role_labels().get(role, role)


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Rows:
    """A frame as plain records, with its column order (which roles a table has depends on it)."""

    columns: tuple[str, ...]
    records: list[Record]
    # The amount columns some record fills, in column order. Most of the 39 amount columns are
    # empty in a document: the tables of a subset of the records need not look at those again.
    amount_columns: tuple[str, ...]

    @classmethod
    def of(cls, frame: pd.DataFrame | Rows) -> Rows:
        if isinstance(frame, Rows):
            return frame
        columns = tuple(frame.columns)
        if any(isinstance(t, pd.api.extensions.ExtensionDtype) and not isinstance(t, pd.StringDtype)
               for t in frame.dtypes):
            # A nullable column (Int64 …) holds pd.NA, which to_dict turns into None.
            return cls.build(columns, frame.to_dict("records"))
        # The same values as to_dict("records") (Python scalars, NaN for a missing number or
        # string), at a third of its cost: one conversion of the whole frame, not one per cell.
        values = frame.to_numpy(dtype=object)
        filled = ~pd.isna(values).all(axis=0)
        return cls(columns, [dict(zip(columns, row, strict=True)) for row in values.tolist()],
                   tuple(c for c, f in zip(columns, filled, strict=True) if f and _is_amount_column(c)))

    @classmethod
    def build(cls, columns: tuple[str, ...], records: list[Record]) -> Rows:
        amounts = [c for c in columns if _is_amount_column(c)]
        return cls(columns, records, tuple(c for c in amounts if any(not _missing(r[c]) for r in records)))

    def subset(self, records: list[Record]) -> Rows:
        """Some of the records (never others: see ``amount_columns``)."""
        return Rows(self.columns, records, self.amount_columns)


def _is_amount_column(column: str) -> bool:
    return column.endswith("_wan") and column != "amount_wan"


def _missing(value) -> bool:
    return value is None or value != value  # None or NaN, what pd.isna says of a cell


def _missing_key(key: Hashable) -> bool:
    return any(_missing(k) for k in key) if isinstance(key, tuple) else _missing(key)


def _group(records: Iterable[T], key: Callable[[T], Hashable]) -> dict[Hashable, list[T]]:
    """Records by key in the order keys first appear, as ``groupby(sort=False)``; like pandas,
    it leaves out the records whose key is missing."""
    groups: dict[Hashable, list[T]] = defaultdict(list)
    for r in records:
        k = key(r)
        if not _missing_key(k):
            groups[k].append(r)
    return groups


def _by_line(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda r: r["line"])  # stable, as sort_values(kind="stable")


def _blank(value) -> Any:
    """A cell with "" for missing, as ``fillna("")``."""
    return "" if _missing(value) else value


def _contains(value, pattern: re.Pattern) -> bool:
    """``str.contains(pattern, na=False)`` on one cell."""
    return isinstance(value, str) and pattern.search(value) is not None


def _column_sum(values: Iterable) -> float:
    """Σ of a column with missing cells as 0, summed by numpy as ``Series.fillna(0).sum()`` does
    (pairwise summation: its last bits may differ from Python's ``sum``)."""
    return np.asarray([0.0 if _missing(v) else v for v in values], dtype=float).sum()


# ------------------------------------------------------------------ findings


@dataclass(frozen=True)
class Ref:
    """One side of a check: a table (or the narrative) and the lines the figure stands on."""

    kind: str
    lines: tuple[int, ...]

    def text(self) -> str:
        if not self.lines:
            return self.kind
        shown = ",".join(f"L{n}" for n in self.lines[:8]) + ("…" if len(self.lines) > 8 else "")
        return f"{self.kind}:{shown}"


@dataclass
class Ledger:
    """The findings of one document, and what tells an extraction loss from a printed error."""

    doc_id: str
    unparsed_lines: set[int] = field(default_factory=set)
    page_breaks: dict[str, list[int]] = field(default_factory=dict)  # table kind → lines of repeated titles
    empty_pages: dict[str, list[int]] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)

    def add(self, check: str, message: str, expected: float | None, actual: float | None,
            refs: Iterable[Ref], tolerance: float = HALF_CENT, severity: str | None = None,
            cause: str | None = None) -> None:
        refs = list(refs)
        entry = check_catalogue()[check]
        cause = cause or self.cause_of(refs, expected, actual)
        severity = severity or entry["severity"]
        if cause == "extraction":
            message += f" — likely an extraction loss ({self.extraction_evidence(refs)})"
        elif severity != "info":  # an info (rounding, a split) is no error of the document
            message += " — as printed in the document"
        difference = None if expected is None or actual is None else round(actual - expected, 6)
        lines = sorted({n for r in refs for n in r.lines})
        self.rows.append({
            "doc_id": self.doc_id, "check": check, "family": entry["family"],
            "severity": severity, "cause": cause, "message": message,
            "expected": expected, "actual": actual, "difference": difference, "tolerance": tolerance,
            "refs": " vs ".join(r.text() for r in refs), "lines": " ".join(str(n) for n in lines),
        })

    def cause_of(self, refs: list[Ref], expected: float | None, actual: float | None) -> str:
        """'extraction' when the lines involved lost cells or span a page break that may have
        lost rows (the parts fall short of the total), else 'document'."""
        if any(n in self.unparsed_lines for r in refs for n in r.lines):
            return "extraction"
        short = expected is not None and actual is not None and actual < expected
        for r in refs:
            if not r.lines:
                continue
            low, high = min(r.lines), max(r.lines)
            if any(low <= n <= high for n in self.empty_pages.get(r.kind, [])):
                return "extraction"
            # Parts that fall short of a total above them: rows lost at a later page break.
            if short and any(n >= low for n in self.page_breaks.get(r.kind, []) + self.empty_pages.get(r.kind, [])):
                return "extraction"
        return "document"

    def extraction_evidence(self, refs: list[Ref]) -> str:
        for r in refs:
            if any(n in self.unparsed_lines for n in r.lines):
                return "cells on these lines could not be parsed"
            if not r.lines:
                continue
            breaks = sorted(n for n in self.page_breaks.get(r.kind, []) + self.empty_pages.get(r.kind, [])
                            if n >= min(r.lines))
            if breaks:
                return f"the table breaks across a page at line {breaks[0]}, rows may be lost there"
        return "see the source lines"

    def frame(self) -> pd.DataFrame:
        """The findings, each (check, refs, message) once: what ``drop_duplicates`` keeps, without
        its cost on a frame that seldom has a duplicate."""
        frame = pd.DataFrame(self.rows, columns=FINDING_COLUMNS)
        keep: list[int] = []
        seen: set[tuple[str, str, str]] = set()
        for i, row in enumerate(self.rows):
            key = (row["check"], row["refs"], row["message"])
            if key not in seen:
                seen.add(key)
                keep.append(i)
        return frame if len(keep) == len(self.rows) else frame.take(keep).reset_index(drop=True)


def _nz(value) -> float:
    return 0.0 if _missing(value) else float(value)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _differs(a: float, b: float, tolerance: float = HALF_CENT) -> bool:
    return abs(a - b) > tolerance + FLOAT_NOISE


def _present_roles(rows: Rows) -> list[str]:
    """The amount roles (columns ``<role>_wan``) some record fills, in column order."""
    return [c[:-4] for c in rows.amount_columns if any(not _missing(r[c]) for r in rows.records)]


def _sum_finding(ledger: Ledger, check: str, what: str, whole: float, parts: list[float], refs: list[Ref]) -> None:
    """A printed whole against the sum of its printed parts, with the rounding allowance."""
    total = round(sum(parts), 6)
    if not _differs(whole, total):
        return
    allowance = HALF_CENT * max(len(parts), 1)
    if not _differs(whole, total, allowance) and len(parts) > 1:
        ledger.add(check, f"{what}: {_fmt(whole)} printed, its {len(parts)} parts sum to {_fmt(total)} "
                   f"(within rounding of {len(parts)} printed amounts)", whole, total, refs, allowance,
                   severity="info", cause="document")
        return
    parts_text = "its one part is" if len(parts) == 1 else f"its {len(parts)} parts sum to"
    ledger.add(check, f"{what}: {_fmt(whole)} printed, {parts_text} {_fmt(total)}", whole, total, refs)


# ------------------------------------------------------------------ within a table


def check_column_identities(ledger: Ledger, frame: pd.DataFrame | Rows, what: str) -> None:
    """合计 = 基本 + 项目, 基本 = 人员 + 公用 … on every row, where the table has the columns."""
    rows = Rows.of(frame)
    groups = _group(rows.records, lambda r: (r["table_kind"], _blank(r.get("side", ""))))
    for (kind, _side), table in groups.items():
        present = set(_present_roles(rows.subset(table)))
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
                if _missing(values[whole]) and all(_missing(values[p]) for p in parts):
                    continue
                label = f"{label_of(kind)} row “{_row_name(row)}” ({what})"
                _sum_finding(ledger, "table.columns",
                             f"{label}: {role_label(whole)} vs {' + '.join(role_label(p) for p in parts)}",
                             _nz(values[whole]), [_nz(values[p]) for p in parts], [Ref(kind, (int(row["line"]),))])


def _row_name(row: Record) -> str:
    for attr in ("name", "project_name", "econ_name"):
        value = row.get(attr)
        if isinstance(value, str) and value:
            return value
    return "合计"


def tree_parents(types: list[str], codes: list[str | None], units: list[str | None]) -> list[int | None]:
    """Parent of each row in a table listed top-down: the nearest row above it at a higher
    level (合计 > 单位 > 类 > 款 > 项 > 项目) whose code is a prefix of the row's code."""
    parents: list[int | None] = []
    for i, row_type in enumerate(types):
        level = FUNCTION_LEVELS.get(row_type)
        parent = None
        for j in range(i - 1, -1, -1):
            other = FUNCTION_LEVELS.get(types[j])
            if level is None or other is None:
                continue
            if row_type == "unit" and types[j] == "unit":
                if units[i] and units[j] and units[i] != units[j] and units[i].startswith(units[j]):
                    parent = j
                    break
                continue
            if other >= level:
                continue
            if codes[i] and codes[j] and not codes[i].startswith(codes[j]):
                continue
            parent = j
            break
        parents.append(parent)
    return parents


def check_row_sums(ledger: Ledger, frame: pd.DataFrame | Rows, code_column: str) -> None:
    """Each total, unit, 类 and 款 row equals the sum of the rows directly under it."""
    rows = Rows.of(frame)
    for kind, table in _group(rows.records, lambda r: r["table_kind"]).items():
        records = _by_line(table)
        roles = _present_roles(rows.subset(records))
        codes = [c if isinstance(c, str) and c else None for c in (r[code_column] for r in records)]
        units = [u if isinstance(u, str) and u else None for u in (r.get("unit_code") for r in records)]
        parents = tree_parents([r["row_type"] for r in records], codes, units)
        children: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(parents):
            if p is not None:
                children[p].append(i)
        for p, kids in children.items():
            head = records[p]
            for role in roles:
                column = f"{role}_wan"
                if _missing(head[column]) and all(_missing(records[k][column]) for k in kids):
                    continue
                what = f"{label_of(kind)} row “{_row_name(head)}”, {role_label(role)}"
                refs = [Ref(kind, (int(head["line"]),)), Ref(kind, tuple(int(records[k]["line"]) for k in kids))]
                _sum_finding(ledger, "table.rows", what, _nz(head[column]), [_nz(records[k][column]) for k in kids],
                             refs)


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
    for kind, table in _group(frame.records, lambda r: r["table_kind"]).items():
        finals: dict[str, Record] = {}
        for side, side_rows in _group(table, lambda r: r["side"]).items():
            rows = _by_line(side_rows)
            roles = _present_roles(frame.subset(rows))
            top: list[Record] = []  # items since the last total
            section: Record | None = None
            section_items: list[Record] = []
            running: Record | None = None
            last_total: Record | None = None

            for row in rows:
                level = _summary_level(row["name"], row["row_type"])
                if level == "of_which":
                    continue
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
            if _differs(a, b):
                ledger.add("table.balance", f"{label_of(kind)}: “{income['name']}” {_fmt(a)} but "
                           f"“{spending['name']}” {_fmt(b)}", a, b,
                           [Ref(kind, (int(income["line"]),)), Ref(kind, (int(spending["line"]),))])


def _close_section(ledger: Ledger, kind: str, section: Record | None, items: list[Record],
                   roles: list[str]) -> None:
    """A numbered section (一、本年收入) equals the sum of the items under it."""
    if section is not None and items:
        _check_group(ledger, kind, section, items, roles, "table.summary")


def _main_amount(row: Record) -> float:
    """A total row's amount: its 合计 column, or the 财政拨款 / 本年 / 一般公共预算 column a side may have instead."""
    for role in ("total", "fiscal_total", "current_year", "general_budget"):
        if not _missing(row.get(f"{role}_wan")):
            return float(row[f"{role}_wan"])
    return 0.0


def _check_group(ledger: Ledger, kind: str, head: Record, parts: list[Record], roles: list[str],
                 check: str) -> None:
    for role in roles:
        column = f"{role}_wan"
        if _missing(head.get(column)) and all(_missing(p.get(column)) for p in parts):
            continue
        what = f"{label_of(kind)} {head['side']} “{head['name']}”, {role_label(role)}"
        refs = [Ref(kind, (int(head["line"]),)), Ref(kind, tuple(int(p["line"]) for p in parts))]
        _sum_finding(ledger, check, what, _nz(head.get(column)), [_nz(p.get(column)) for p in parts], refs)


def check_three_public(ledger: Ledger, three_public: pd.DataFrame | Rows) -> None:
    """“三公”经费 = 因公出国（境）+ 公务用车购置及运行 + 公务接待, for each year printed."""
    printed = Rows.of(three_public).records
    if not printed:
        return
    for kind, table in _group(printed, lambda r: r["table_kind"]).items():
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
                what = f"{label_of(kind)}{'（上年）' if period else ''}: {role_label(whole)}"
                refs = [Ref(kind, (where[whole],)), Ref(kind, tuple(sorted({where[p] for p in present})))]
                _sum_finding(ledger, "table.three_public", what, values[whole], [values[p] for p in present], refs)


# ------------------------------------------------------------------ across tables


@dataclass(frozen=True)
class Figure:
    concept: str  # what the number is: "func:210:total", "total:basic", "income:general_budget" …
    scope: str
    value: float
    kind: str
    line: int
    label: str
    more: tuple[int, ...] = ()  # other lines summed into the figure

    @property
    def lines(self) -> tuple[int, ...]:
        return tuple(sorted({self.line, *self.more}))


PURPOSE_ROLES = {"total", "basic", "project", "personnel", "public", "project_other", "project_specific",
                 "project_personnel"}


def scope_of(kind: str, role: str) -> str:
    return column_scopes().get(role) or table_scopes().get(kind, "all")


def collect_figures(budget: pd.DataFrame | Rows, econ: pd.DataFrame | Rows, projects: pd.DataFrame | Rows,
                    header_roles: dict[str, set[str]] | None = None) -> list[Figure]:
    """Every figure a table prints that another table prints too, with its scope. A column the
    header has but no row fills (``header_roles``) prints zeros: 基本支出 0 is a figure too."""
    header_roles = header_roles or {}
    budget = Rows.of(budget)
    figures: list[Figure] = []
    purpose = PURPOSE_ROLES
    sources = {"general_budget", "gov_fund", "state_capital", "fiscal_total"}
    for kind, table in _group(budget.records, lambda r: r["table_kind"]).items():
        if kind == "procurement":  # by function code, but purchases, not spending of the code
            continue
        filled = _present_roles(budget.subset(table))
        # (Not for two-sided tables: their header roles belong to one side or the other.)
        empty = () if kind in SUMMARY_TABLES else header_roles.get(kind, ())
        roles = filled + sorted(r for r in empty
                                if r not in filled and r in PURPOSE_ROLES and f"{r}_wan" in budget.columns)
        if any(r.startswith("carryover_") for r in roles):
            # Source columns split into 本年 and 结转: each is one period of the scope, not the scope.
            roles = [r for r in roles if r not in sources]
        for side, rows in _group(table, lambda r: _blank(r["side"])).items():
            if side == "income":
                figures += _income_figures(kind, rows, roles)
                continue
            for row in rows:
                if kind in {"projects", "general_project"} and row["row_type"] not in TOTAL_TYPES:
                    continue
                key = _row_key(row)
                if key is None:
                    continue
                for role in roles:
                    value = row[f"{role}_wan"]
                    if kind in {"projects", "general_project"}:
                        # A project table's 合计 is project spending, in the scope of its column.
                        if role not in {"total"} | sources:
                            continue
                        concept, scope = f"{key}:project", scope_of(kind, role)
                    elif role in purpose:
                        concept, scope = f"{key}:{role}", table_scopes().get(kind, "all")
                    elif role in sources and kind not in {"income"}:
                        concept, scope = f"{key}:total", scope_of(kind, role)
                    else:
                        continue
                    if _missing(value) and row["row_type"] not in TOTAL_TYPES | {"class", "kuan", "item"}:
                        continue
                    figures.append(Figure(concept, scope, _nz(value), kind, int(row["line"]), _row_name(row)))
    figures += _econ_figures(Rows.of(econ))
    figures += _project_figures(Rows.of(projects).records)
    return _merge_same_table(figures)


def _row_key(row: Record) -> str | None:
    row_type = row["row_type"]
    if row_type in {"total", "current_total"}:
        return "total"
    if row_type == "grand_total":
        return "grand_total"
    if row_type == "next_year_carryover":
        return "next_year_carryover"
    if row_type in {"class", "kuan", "item"} and isinstance(row["func_code"], str) and row["func_code"]:
        return f"func:{row['func_code']}"
    return None


def _income_figures(kind: str, rows: list[Record], roles: list[str]) -> list[Figure]:
    figures = []
    in_carryover = False
    for row in rows:
        name = str(row["name"] or "")
        row_type = row["row_type"]
        if row_type == "carryover":
            in_carryover = True
            figures.append(Figure("carryover", "all", _nz(row["total_wan"]), kind, int(row["line"]), name))
            continue
        if row_type in TOTAL_TYPES:
            in_carryover = False
            if kind == "income":  # 收入总表: the source columns of its 合计 row
                for role in roles:
                    concept = {"total": "grand_total", "current_year": "current_income"}.get(role, f"income:{role}")
                    if role.startswith("carryover"):
                        concept = "carryover" if role == "carryover" else f"carryover:{role[10:]}"
                    if row_type == "total":
                        figures.append(Figure(concept, "all", _nz(row[f"{role}_wan"]), kind, int(row["line"]), name))
                break
            concept = {"grand_total": "grand_total", "current_total": "current_income"}[row_type]
            figures.append(Figure(concept, table_scopes().get(kind, "all"), _nz(row["total_wan"]), kind,
                                  int(row["line"]), name))
            continue
        if OF_WHICH_RE.match(name):
            continue
        role = role_of_path([strip_numbering(name)])
        if role in {"general_budget", "gov_fund", "state_capital", "fiscal_total", "special_account",
                    "business_income", "operating_income", "superior_subsidy", "affiliated_income",
                    "other_income", "unit_funds", "non_fiscal_surplus"}:
            concept = f"carryover:{role}" if in_carryover else f"income:{role}"
            figures.append(Figure(concept, "all", _nz(row["total_wan"]), kind, int(row["line"]), name))
    return figures


def _econ_figures(econ: Rows) -> list[Figure]:
    figures = []
    for kind, table in _group(econ.records, lambda r: r["table_kind"]).items():
        roles = _present_roles(econ.subset(table))
        basic_table = kind in {"general_basic_econ", "basic_econ"}
        for row in table:
            if row["row_type"] == "total":
                key = "total"
            elif row["row_type"] in {"class", "item"} and isinstance(row["econ_code"], str):
                key = f"econ:{row['econ_code']}"
            else:
                continue
            for role in roles:
                if role in {"total", "fiscal_total", "general_budget"} and basic_table:
                    concept_role = "basic"
                elif role in {"total", "basic", "project", "personnel", "public"}:
                    concept_role = role
                else:
                    continue
                if kind == "operating_expenses":
                    if key != "total":
                        continue
                    key, concept_role = "operating_expenses", "total"
                scope = scope_of(kind, role) if role in column_scopes() else table_scopes().get(kind, "all")
                figures.append(Figure(f"{key}:{concept_role}", scope, _nz(row[f"{role}_wan"]), kind,
                                      int(row["line"]), _row_name(row)))
    return figures


def _project_figures(projects: list[Record]) -> list[Figure]:
    """Project amounts summed by type and by function code, as the budget tables print them."""
    figures = []
    for kind, table in _group(projects, lambda r: r["table_kind"]).items():
        scope = table_scopes().get(kind, "all")
        lines = [int(r["line"]) for r in table]
        any_typed = any(not _missing(r["project_type"]) for r in table)
        for role in ("project_other", "project_specific", "project_personnel"):
            typed = [r for r in table if r["project_type"] == _TYPE_OF_ROLE[role]]
            if typed or any_typed:
                figures.append(Figure(f"total:{role}", scope, round(_column_sum(r["amount_wan"] for r in typed), 6),
                                      kind, min(lines), "Σ projects of the type"))
        coded = _group(table, lambda r: r["func_code"])
        for code in sorted(coded):  # groupby sorts its keys
            group = coded[code]
            figures.append(Figure(f"func:{code}:project", scope, round(_column_sum(r["amount_wan"] for r in group), 6),
                                  kind, min(int(r["line"]) for r in group), "Σ projects under the code"))
    return figures


_TYPE_OF_ROLE = {"project_other": "其他运转类", "project_specific": "特定目标类", "project_personnel": "人员类"}


def _merge_same_table(figures: list[Figure]) -> list[Figure]:
    """One figure per (concept, scope, table): rows of one code under several units add up."""
    merged: dict[tuple[str, str, str], Figure] = {}
    for f in figures:
        key = (f.concept, f.scope, f.kind)
        if key in merged and merged[key].line != f.line:
            old = merged[key]
            if f.concept.startswith("func:"):
                main = f if abs(f.value) > abs(old.value) else old
                merged[key] = Figure(f.concept, f.scope, round(old.value + f.value, 6), f.kind, main.line, main.label,
                                     (*old.lines, f.line))
            continue
        merged.setdefault(key, f)
    return list(merged.values())


def consensus(figures: list[Figure]) -> dict[str, Figure]:
    """Per concept, a figure carrying the value most tables print (all scopes)."""
    votes: dict[str, dict[float, list[Figure]]] = defaultdict(lambda: defaultdict(list))
    for f in figures:
        votes[f.concept][round(f.value, 2)].append(f)
    return {c: max(v.values(), key=lambda fs: len({f.kind for f in fs}))[0] for c, v in votes.items()}


def comparable_scopes(figures: list[Figure]) -> dict[str, str]:
    """Scopes that hold the same money in this document: when all income is general-budget
    appropriation, 'all', 'fiscal' and 'general' figures must agree."""
    income = defaultdict(float)
    for f in figures:
        if f.concept.startswith("income:"):
            income[f.concept[7:]] = max(income[f.concept[7:]], abs(f.value))
    # 其中：财政拨款 is part of the general budget, not another source.
    others = sum(v for k, v in income.items() if k not in {"general_budget", "fiscal_total",
                                                           "general_budget_appropriation"})
    other_fiscal = income.get("gov_fund", 0) + income.get("state_capital", 0)
    canon = {"all": "all", "fiscal": "fiscal", "general": "general", "gov_fund": "gov_fund",
             "state_capital": "state_capital"}
    if other_fiscal == 0:
        canon["general"] = "fiscal"
    if others - other_fiscal == 0 and income:
        canon["fiscal"] = "all"
        if canon["general"] == "fiscal":
            canon["general"] = "all"
    return canon


def carryover_amounts(figures: list[Figure]) -> list[float]:
    """The carry-over amounts the document discloses (上年结转, 年终结转结余)."""
    return sorted({round(f.value, 2) for f in figures
                   if f.concept.split(":")[0] in {"carryover", "next_year_carryover"} and f.value})


def check_across_tables(ledger: Ledger, figures: list[Figure], carryovers: list[float]) -> None:
    """The same figure wherever it is printed, scope for scope."""
    canon = comparable_scopes(figures)
    groups: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        groups[(f.concept, canon.get(f.scope, f.scope))].append(f)
    for (concept, _), members in groups.items():
        tables = {f.kind for f in members}
        if len(tables) < 2:
            continue
        counts: dict[float, list[Figure]] = defaultdict(list)
        for f in members:
            counts[round(f.value, 2)].append(f)
        if len(counts) == 1:
            continue
        # The value most tables print is the reference; ties go to the table listed first.
        reference = max(counts.items(), key=lambda kv: (len({f.kind for f in kv[1]}), -members.index(kv[1][0])))
        expected, agreeing = reference
        for value, odd in counts.items():
            if value == expected:
                continue
            for f in odd:
                diff = round(f.value - expected, 6)
                carry = next((c for c in carryovers if c and abs(abs(diff) - c) < FLOAT_NOISE + HALF_CENT), None)
                what = _concept_text(concept)
                refs = [Ref(f.kind, f.lines), Ref(agreeing[0].kind, tuple(sorted({n for g in agreeing for n in g.lines})))]
                others = "、".join(sorted({label_of(g.kind) for g in agreeing}))
                message = (f"{what}: {label_of(f.kind)} “{f.label}” prints {_fmt(f.value)}, "
                           f"{others} print {_fmt(expected)}")
                if carry is not None:
                    message += (f"; the difference is the carry-over 上年结转 {_fmt(carry)}: one table counts "
                                f"it in the year, the other does not")
                    ledger.add("cross.carryover", message, expected, f.value, refs, severity="warning",
                               cause="document")
                else:
                    ledger.add("cross.figure", message, expected, f.value, refs)


def _concept_text(concept: str) -> str:
    parts = concept.split(":")
    role = role_label(parts[-1]) if len(parts) > 1 else ""
    head = parts[0]
    if head == "func":
        return f"function code {parts[1]}, {role}"
    if head == "econ":
        return f"economic code {parts[1]}, {role}"
    if head == "total":
        return f"total {role}"
    if head == "income":
        return f"income from {role_label(parts[1])}"
    if head == "carryover" and len(parts) > 1:
        return f"上年结转 of {role_label(parts[1])}"
    return {"grand_total": "收入/支出总计", "current_income": "本年收入合计", "carryover": "上年结转",
            "next_year_carryover": "年终结转结余", "operating_expenses": "机关运行经费"}.get(head, concept)


# ------------------------------------------------------------------ performance against budget

PERF_AMOUNT_RE = re.compile(r"资金总额|预算数|预算资金")
NAME_AMOUNT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*万元?$")
PERF_ROUNDING = 0.05  # Henan performance tables print 0.1 万元
DEPT_TOTAL_RE = re.compile(r"预算总额|资金总额")
BASIC_RE = re.compile(r"基本支出")
PROJECT_RE = re.compile(r"项目支出")
COST_RE = re.compile(r"成本")


def performance_projects(perf: pd.DataFrame | Rows) -> list[Record]:
    """One record per project block of each performance table: table_kind, project_name,
    amount_wan, line."""
    rows = [r for r in Rows.of(perf).records if r["scope"] == "project" and not _missing(r["project_name"])]
    # Within a line, the row with the block's amount (资金总额, 预算数) comes first.
    rows.sort(key=lambda r: (r["line"], not _contains(r["label"], PERF_AMOUNT_RE)))
    blocks: list[Record] = []
    previous = None
    for r in rows:
        # A project block starts where its name first appears after another project's.
        if not blocks or r["project_name"] != previous:
            blocks.append({k: r[k] for k in ("table_kind", "project_name", "amount_wan", "line")})
        previous = r["project_name"]
    return blocks


def match_projects(budget: list[Record], perf: list[Record]) -> list[tuple[int, int | None, str]]:
    """(perf row, budget row or None, how): names equal once normalised first, then the
    closest among the budget projects this performance table has not named yet."""
    pairs: list[tuple[int, int | None, str]] = []
    names = [r["project_name"] for r in budget]
    keys = [name_key(n) for n in names]
    for _kind, table in _group(enumerate(perf), lambda ip: ip[1]["table_kind"]).items():
        exact = {i: keys.index(name_key(p["project_name"])) for i, p in table if name_key(p["project_name"]) in keys}
        taken = set(exact.values())
        for i, p in table:
            if i in exact:
                pairs.append((i, exact[i], "same name once spacing, 年度, 项目 and 费用/费 are normalised"))
                continue
            free = [n for j, n in enumerate(names) if j not in taken]
            found = match_name(p["project_name"], free)
            if found is None:
                pairs.append((i, None, ""))
                continue
            j = names.index(found)
            taken.add(j)
            pairs.append((i, j, f"closest name “{found}”"))
    return pairs


def check_performance(ledger: Ledger, projects: pd.DataFrame | Rows, perf: pd.DataFrame | Rows,
                      indicators: pd.DataFrame | Rows, figures: list[Figure]) -> None:
    budget = Rows.of(projects).records
    perf_rows = Rows.of(perf)
    blocks = performance_projects(perf_rows)
    for row in budget + blocks:
        _check_name_amount(ledger, row["project_name"], row["amount_wan"], row["table_kind"], int(row["line"]))
    if not blocks:
        return
    pairs = match_projects(budget, blocks)
    matched_budget = {j for _, j, _ in pairs if j is not None}
    unmatched = [k for k, j, _ in pairs if j is None]
    for i, j, how in pairs:
        p = blocks[i]
        if j is None:
            _unknown_perf_project(ledger, i, budget, blocks, unmatched)
            continue
        b = budget[j]
        if _missing(p["amount_wan"]) or _missing(b["amount_wan"]):
            continue
        refs = [Ref(p["table_kind"], (int(p["line"]),)), Ref(b["table_kind"], (int(b["line"]),))]
        pa, ba = float(p["amount_wan"]), float(b["amount_wan"])
        if not _differs(pa, ba):
            continue
        what = f"project “{b['project_name']}” ({how})"
        if not _differs(pa, ba, PERF_ROUNDING) and abs(round(pa * 10) - pa * 10) < FLOAT_NOISE:
            ledger.add("perf.amount", f"{what}: {label_of(p['table_kind'])} prints {pa:,.1f}, the budget "
                       f"{_fmt(ba)} (the performance table rounds to 0.1 万元)", ba, pa, refs, PERF_ROUNDING,
                       severity="info", cause="document")
        else:
            ledger.add("perf.amount", f"{what}: {label_of(p['table_kind'])} prints {_fmt(pa)}, "
                       f"{label_of(b['table_kind'])} {_fmt(ba)}", ba, pa, refs)
    for j, b in enumerate(budget):
        if j not in matched_budget:
            ledger.add("perf.missing_targets", f"project “{b['project_name']}” ({_fmt(b['amount_wan'])}) of "
                       f"{label_of(b['table_kind'])} has no performance targets in any performance table",
                       None, None, [Ref(b["table_kind"], (int(b["line"]),))])
    _check_perf_totals(ledger, perf_rows.records, blocks, figures)
    _check_cost_indicators(ledger, blocks, Rows.of(indicators).records)


def _check_name_amount(ledger: Ledger, name: str, amount, kind: str, line: int) -> None:
    """A project name that states its amount (…2024年16万) must agree with it."""
    found = NAME_AMOUNT_RE.search(str(name))
    if not found or _missing(amount):
        return
    stated = float(found.group(1))
    decimals = len(found.group(1).split(".")[1]) if "." in found.group(1) else 0
    tolerance = max(HALF_CENT, 0.5 * 10 ** -decimals)
    if _differs(stated, float(amount), tolerance):
        ledger.add("perf.name_amount", f"project “{name}” states {found.group(0)} in its name, "
                   f"{label_of(kind)} prints {_fmt(float(amount))}", stated, float(amount),
                   [Ref(kind, (line,))], tolerance, cause="document")


def _unknown_perf_project(ledger: Ledger, i: int, budget: list[Record], blocks: list[Record],
                          unmatched: list[int]) -> None:
    """A performance project (``blocks[i]``) the budget does not list: say whether it looks like
    a split or a renamed budget project (same amount), or is simply absent."""
    p = blocks[i]
    amount = p["amount_wan"]
    refs = [Ref(p["table_kind"], (int(p["line"]),))]
    note = ""
    # The other unmatched projects of the same table, which may be the other half of a split.
    partners = [blocks[k] for k in unmatched if blocks[k]["table_kind"] == p["table_kind"] and k != i]
    for b in budget:
        budget_amount = float(b["amount_wan"] or 0)
        if not _missing(amount) and not _differs(float(amount), budget_amount):
            note = f"; its amount equals budget project “{b['project_name']}” (the same project under another name?)"
            refs.append(Ref(b["table_kind"], (int(b["line"]),)))
            break
        for other in partners:
            if not _missing(amount) and not _missing(other["amount_wan"]) and not _differs(
                    float(amount) + float(other["amount_wan"]), budget_amount):
                note = (f"; with “{other['project_name']}” ({_fmt(other['amount_wan'])}) it makes up budget "
                        f"project “{b['project_name']}” ({_fmt(b['amount_wan'])}): one project split in two")
                refs += [Ref(other["table_kind"], (int(other["line"]),)), Ref(b["table_kind"], (int(b["line"]),))]
                break
        if note:
            break
    ledger.add("perf.unknown_project", f"{label_of(p['table_kind'])} lists project “{p['project_name']}” "
               f"({_fmt(amount) if not _missing(amount) else 'no amount'}) that no budget table lists{note}",
               None, None if _missing(amount) else float(amount), refs,
               severity="info" if "split" in note else None)


def _check_perf_totals(ledger: Ledger, perf: list[Record], blocks: list[Record], figures: list[Figure]) -> None:
    """Each 单位合计 of a performance table = Σ its projects; the table's first total and the
    整体 table's amounts = the budget's totals."""
    totals = [r for r in perf if isinstance(r["label"], str) and r["label"].startswith("unit_total")
              and "政府预算资金" not in r["label"]]
    total_lines = sorted({int(r["line"]) for r in totals})
    amounts = {int(r["line"]): r["amount_wan"] for r in totals}
    for idx, line in enumerate(total_lines):
        # Nested unit rows (116, then 116001) stand together above the same projects.
        nxt = next((n for n in total_lines[idx + 1:] if any(line < b["line"] < n for b in blocks)), 10**9)
        inside = [b for b in blocks if line < b["line"] < nxt]
        if inside:
            kind = inside[0]["table_kind"]
            _sum_finding(ledger, "perf.total", f"{label_of(kind)} 合计 of the projects listed under it",
                         float(amounts[line]), [_nz(b["amount_wan"]) for b in inside],
                         [Ref(kind, (line,)), Ref(kind, tuple(int(b["line"]) for b in inside))])
    _check_perf_rows(ledger, perf)
    reference = consensus(figures)
    wanted = [(totals[:1], "total:project", "项目支出")]
    dept = [r for r in perf if r["scope"] == "department"]
    for pattern, concept, text in ((DEPT_TOTAL_RE, "total:total", "预算总额"), (BASIC_RE, "total:basic", "基本支出"),
                                   (PROJECT_RE, "total:project", "项目支出")):
        wanted.append(([r for r in dept if _contains(r["label"], pattern)][:1], concept, text))
    for rows, concept, text in wanted:
        if not rows or concept not in reference:
            continue
        row, ref = rows[0], reference[concept]
        value = float(row["amount_wan"])
        refs = [Ref(row["table_kind"], (int(row["line"]),)), Ref(ref.kind, ref.lines)]
        if not _differs(value, ref.value):
            continue
        if not _differs(value, ref.value, PERF_ROUNDING) and abs(round(value * 10) - value * 10) < FLOAT_NOISE:
            ledger.add("perf.budget_total", f"{label_of(row['table_kind'])} {text} {value:,.1f} vs "
                       f"{label_of(ref.kind)} {_fmt(ref.value)} (rounded to 0.1 万元)", ref.value, value, refs,
                       PERF_ROUNDING, severity="info", cause="document")
        else:
            ledger.add("perf.budget_total", f"{label_of(row['table_kind'])} {text} {_fmt(value)} but "
                       f"{label_of(ref.kind)} prints {_fmt(ref.value)}", ref.value, value, refs)


PERF_TOTAL_RE = re.compile(r"资金总额|预算总额|年度预算资金总额")
PERF_SOURCE_RE = re.compile(r"^(?!.*其中).*(?:政府预算资金|财政拨款|财政专户|单位资金|其他资金)")
PERF_PURPOSE_RE = re.compile(r"基本支出|项目支出")


def _check_perf_rows(ledger: Ledger, perf: list[Record]) -> None:
    """资金总额 = Σ its sources (政府预算资金, 财政专户, 单位资金 …), on each row of a project block
    and for the 整体 table; the 整体 table's 预算总额 = 基本支出 + 项目支出 too."""
    for (kind, scope), table in _group(perf, lambda r: (r["table_kind"], r["scope"])).items():
        groups = [table] if scope == "department" else list(_group(table, lambda r: r["line"]).values())
        for group in groups:
            labels = [r["label"].split(":")[-1] if isinstance(r["label"], str) else None for r in group]
            whole = [r for r, label in zip(group, labels, strict=True) if _contains(label, PERF_TOTAL_RE)]
            if not whole:
                continue
            head = whole[0]
            for regex in (PERF_SOURCE_RE, PERF_PURPOSE_RE):
                parts = [r for r, label in zip(group, labels, strict=True) if _contains(label, regex) and r is not head]
                if not parts:
                    continue
                lines = tuple(sorted({int(r["line"]) for r in parts}))
                _sum_finding(ledger, "perf.total", f"{label_of(kind)} {head['label'].split(':')[-1]} vs its parts",
                             float(head["amount_wan"]), [_nz(r["amount_wan"]) for r in parts],
                             [Ref(kind, (int(head["line"]),)), Ref(kind, lines)])


def _check_cost_indicators(ledger: Ledger, blocks: list[Record], indicators: list[Record]) -> None:
    """A cost target (成本指标 ≤ x 万元) cannot exceed the project's own amount."""
    if not indicators:
        return
    money = [r for r in indicators if r["scope"] == "project" and _contains(r["level1"], COST_RE)
             and r["unit"] in ("万元", "元") and r["operator"] in ("≤", "<", "=", "≦")]
    amounts = {(b["table_kind"], b["project_name"]): (float(b["amount_wan"]), int(b["line"]))
               for b in blocks if not _missing(b["amount_wan"])}
    for r in money:
        key = (r["table_kind"], r["project_name"])
        if key not in amounts or _missing(r["target_value"]):
            continue
        amount, line = amounts[key]
        target = float(r["target_value"]) / (10000 if r["unit"] == "元" else 1)
        if target > amount + PERF_ROUNDING:
            ledger.add("perf.cost_target", f"project “{r['project_name']}”: cost target “{r['indicator']}” "
                       f"{r['target_text']} exceeds the project's amount {_fmt(amount)}", amount, target,
                       [Ref(r["table_kind"], (int(r["line"]),)), Ref(r["table_kind"], (line,))], PERF_ROUNDING)


# ------------------------------------------------------------------ completeness

CORE_TABLES = ("summary", "income", "expenditure", "fiscal_summary", "general_expenditure", "general_basic_econ",
               "three_public", "gov_fund")


def check_completeness(ledger: Ledger, tables: pd.DataFrame | Rows, toc: list[tuple[int, str, str]]) -> None:
    """Tables the contents list or the template promise, tables without rows, pages without rows."""
    tables = Rows.of(tables).records
    found = {t["table_kind"] for t in tables}
    listed = {kind for _, _, kind in toc}
    for line, title, kind in toc:
        if kind not in found:
            shown = strip_numbering(title.lstrip("-•· "))
            ledger.add("complete.missing_table", f"the table of contents lists 《{shown}》 but the document has no "
                       "such table", None, None, [Ref("toc", (line,))], cause="document")
    for kind in CORE_TABLES:
        if kind not in found and kind not in listed:
            ledger.add("complete.template_table", f"《{label_of(kind)}》, a table of every disclosure under the "
                       "Ministry of Finance template, is neither in the document nor in its table of contents",
                       None, None, [Ref("document", ())], cause="document")
    for t in tables:
        if t["n_rows"] == 0 and not t["declared_empty"]:
            ledger.add("complete.empty_table", f"《{t['title']}》 has no rows and no note saying it is empty", None,
                       None, [Ref(t["table_kind"], (int(t["title_line"]),))], cause="document")
        for line in str(t["empty_page_lines"] or "").split():
            ledger.add("complete.empty_page", f"《{t['title']}》 repeats its title or header at line {line} with no "
                       "rows after it: rows may have been lost at this page break", None, None,
                       [Ref(t["table_kind"], (int(line),))], cause="extraction")


# ------------------------------------------------------------------ narrative against tables

# Narrative subject → the table concept it restates.
SUBJECT_CONCEPTS = {
    "total_income": "grand_total", "total_expenditure": "grand_total", "current_income": "current_income",
    "current_expenditure": "total:total", "carryover_income": "carryover", "next_year_carryover": "next_year_carryover",
    "fiscal_total": "total:total", "general_budget_total": "total:total", "gov_fund_total": "total:total",
    "basic_expenditure": "total:basic", "project_expenditure": "total:project",
    "personnel_expenditure": "total:personnel", "public_expenditure": "total:public",
    "operating_expenses": "operating_expenses:total", "procurement_total": "procurement:total",
    "project_count": "project_count",
}
# Funds of the projects with performance targets: all projects in most templates, a subset in some.
PERFORMANCE_FUNDS = "performance_funds"
SUBJECT_SCOPES = {"fiscal_total": "fiscal", "general_budget_total": "general", "gov_fund_total": "gov_fund"}
BARE_RE = re.compile(r"[（(][类款项][)）]|支出$")


def narrative_figures(three_public: pd.DataFrame | Rows, budget: pd.DataFrame | Rows,
                      projects: pd.DataFrame | Rows) -> list[Figure]:
    """Figures only the narrative and one table print: 三公, procurement, project count."""
    figures = []
    for row in Rows.of(three_public).records:
        kind = row["table_kind"]
        if row["figure"].endswith("_prev_year"):
            figures.append(Figure(f"{row['figure'].removesuffix('_prev_year')}:prev", table_scopes()[kind],
                                  float(row["value_wan"]), kind, int(row["line"]), row["figure"]))
        else:
            figures.append(Figure(f"{row['figure']}:total", table_scopes()[kind], float(row["value_wan"]),
                                  kind, int(row["line"]), row["figure"]))
    procurement = next((r for r in Rows.of(budget).records
                        if r["table_kind"] == "procurement" and r["row_type"] == "total"), None)
    if procurement is not None:
        figures.append(Figure("procurement:total", "all", _nz(procurement["total_wan"]), "procurement",
                              int(procurement["line"]), "合计"))
    listed = Rows.of(projects).records
    if listed:
        first = listed[0]
        figures.append(Figure("project_count", "all", float(len(listed)), first["table_kind"],
                              int(first["line"]), "projects listed"))
    return figures


@dataclass
class Sources:
    """What the narrative is checked against: the table figures by (concept, scope), the scopes
    that hold the same money, and the budget lines (for function names)."""

    index: dict[tuple[str, str], list[Figure]]
    canon: dict[str, str]
    budget: list[Record]

    @cached_property
    def function_names(self) -> dict[str, str]:
        """Function code → its bare name as the tables print it; built on first use (only
        statements naming a function need it)."""
        return {r["func_code"]: _bare(strip_numbering(str(r["name"]))) for r in self.budget
                if not _missing(r["func_code"])}


def check_narrative(ledger: Ledger, statements: pd.DataFrame, figures: list[Figure],
                    budget: pd.DataFrame | Rows, fiscal_year: int | None) -> pd.DataFrame:
    """Every amount, share, count and change the narrative states, against the tables.
    Returns the statements with how each was checked (column ``check_status``)."""
    if statements.empty:
        return statements.assign(check_status=pd.Series(dtype=str))
    canon = comparable_scopes(figures)
    carryovers = carryover_amounts(figures)
    index: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        index[(f.concept, canon.get(f.scope, f.scope))].append(f)
    sources = Sources(index, canon, Rows.of(budget).records)
    records = statements.to_dict("records")
    status: list[str] = []
    for st in records:
        year = st["year"]
        if not _missing(year) and fiscal_year and int(year) != fiscal_year:
            status.append("not checked: about another year")
            continue
        kind = st["kind"]
        if kind == "amount" and st["subject"] == PERFORMANCE_FUNDS:
            status.append(_check_performance_funds(ledger, st, sources))
        elif kind in {"amount", "count"}:
            status.append(_check_amount(ledger, st, sources, carryovers))
        elif kind == "share":
            status.append(_check_share(ledger, st, sources))
        elif kind == "change_pct":
            status.append(_check_change(ledger, st, records, sources))
        elif kind == "prev_amount":
            status.append(_check_prev(ledger, st, sources))
        else:
            status.append("not checked: a change amount is checked through its percent")
    return statements.assign(check_status=status)


def _tolerance(number_text: str, scale: float = 1.0) -> float:
    """Half of the last printed digit: 88.3 is any amount from 88.25 to 88.35."""
    text = str(number_text or "").replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return max(HALF_CENT * scale, 0.5 * 10 ** -decimals * scale)


def _percent_tolerance(number_text: str) -> float:
    """One unit of the last printed digit: authors round or cut a percent (7.748% printed 7.74)."""
    return 2 * _tolerance(number_text)


def _lookup(st: Record, subject: str | None, sources: Sources) -> list[Figure]:
    if subject is None or _missing(subject):
        return []
    index, canon = sources.index, sources.canon
    scope = SUBJECT_SCOPES.get(subject) or (st["scope"] if isinstance(st["scope"], str) else "all")
    scope = canon.get(scope, scope)
    if subject == "func":
        code = _func_code_of(st, sources)
        return index.get((f"func:{code}:total", scope), []) if code else []
    if subject.startswith("income:"):
        return index.get((subject, "all"), [])
    if subject.startswith("three_public"):
        return index.get((f"{subject}:total", canon.get("general", "general")), [])
    concept = SUBJECT_CONCEPTS.get(subject)
    if concept is None:
        return []
    found = index.get((concept, scope), [])
    if not found and concept in {"operating_expenses:total", "procurement:total", "project_count", "grand_total",
                                 "current_income", "carryover", "next_year_carryover"}:
        found = [f for (c, _), fs in index.items() if c == concept for f in fs]
    return found


def _func_code_of(st: Record, sources: Sources) -> str | None:
    """The code of the most detailed name the narrative gives (类/款/项), as the tables name it.
    A 项 name that several 款 share (一般行政管理事务) needs its 款 name too; if still ambiguous, None."""
    names = [_bare(n) for n in str(st["func_names"] or "").split("/") if n and n != "nan"]
    given = st["func_code"] if isinstance(st["func_code"], str) and st["func_code"] else None
    if len(names) <= 1 and given:
        return given
    if not names:
        return None
    named = sources.function_names
    codes = {c for c, n in named.items() if n == names[-1]}
    if len(codes) > 1 and len(names) > 1:
        codes = {c for c in codes if named.get(c[:-2]) == names[-2]}
    return codes.pop() if len(codes) == 1 else None


def _bare(name: str) -> str:
    return BARE_RE.sub("", name.strip())


def _check_amount(ledger: Ledger, st: Record, sources: Sources, carryovers: list[float]) -> str:
    found = _lookup(st, st["subject"], sources)
    if not found:
        return "not checked: no table prints this figure"
    scale = 1.0
    tolerance = 0.0 if st["kind"] == "count" else _tolerance(st["number_text"], scale)
    stated = float(st["value"])
    if any(not _differs(stated, f.value, tolerance) for f in found):
        return "agrees"
    f = found[0]
    what = "count" if st["kind"] == "count" else "amount"
    message = (f"the narrative states “{st['evidence']}” ({what} {st['number_text']}) but {label_of(f.kind)} "
               f"“{f.label}” prints {_fmt(f.value)}")
    carry = next((c for c in carryovers if what == "amount" and not _differs(abs(stated - f.value), c)), None)
    if carry is not None:
        message += f"; the difference is the carry-over 上年结转 {_fmt(carry)}, which the narrative counts in the figure"
    ledger.add("cross.carryover" if carry is not None else "narrative.amount", message, f.value, stated,
               [Ref("narrative", (int(st["line"]),)), Ref(f.kind, f.lines)], tolerance,
               severity="warning" if carry is not None else None, cause="document")
    return "differs"


def _check_performance_funds(ledger: Ledger, st: Record, sources: Sources) -> str:
    found = sources.index.get(("total:project", sources.canon.get("all", "all")), [])
    if not found:
        return "not checked: no table prints project spending"
    return _compare_stated(ledger, st, found[0], "narrative.performance_funds",
                           f"the narrative states “{st['evidence']}” for the projects with performance targets, "
                           f"{label_of(found[0].kind)} prints 项目支出 {_fmt(found[0].value)}")


def _compare_stated(ledger: Ledger, st: Record, f: Figure, check: str, message: str) -> str:
    """A narrative number against one table figure, within half of its last printed digit."""
    tolerance = _tolerance(st["number_text"])
    if not _differs(float(st["value"]), f.value, tolerance):
        return "agrees"
    ledger.add(check, message, f.value, float(st["value"]),
               [Ref("narrative", (int(st["line"]),)), Ref(f.kind, f.lines)], tolerance, cause="document")
    return "differs"


def _check_share(ledger: Ledger, st: Record, sources: Sources) -> str:
    part = _lookup(st, st["subject"], sources)
    whole = _lookup(st, st["share_of"], sources)
    if not part or not whole:
        return "not checked: the share's part or whole is in no table"
    if whole[0].value == 0:
        return "not checked: the whole is zero"
    computed = 100 * part[0].value / whole[0].value
    tolerance = _percent_tolerance(st["number_text"])
    if not _differs(float(st["value"]), computed, tolerance):
        return "agrees"
    ledger.add("narrative.share", f"the narrative states “{st['evidence']}” ({st['number_text']}%) but the tables "
               f"give {_fmt(part[0].value)} / {_fmt(whole[0].value)} = {computed:.2f}%", round(computed, 4),
               float(st["value"]), [Ref("narrative", (int(st["line"]),)), Ref(part[0].kind, part[0].lines),
                                    Ref(whole[0].kind, whole[0].lines)], tolerance, cause="document")
    return "differs"


def _same_subject(a, b) -> bool:
    """``statements["subject"] == b`` on one cell: a missing subject equals nothing."""
    return not _missing(a) and not _missing(b) and a == b


def _check_change(ledger: Ledger, st: Record, statements: list[Record], sources: Sources) -> str:
    """增加 X 万元，上升 p%: p must be X over the previous year's base, current − X."""
    subject, line = st["subject"], st["line"]
    amounts = [s for s in statements if s["kind"] == "change_amount" and _same_subject(s["subject"], subject)
               and _blank(s["number_text"]) != "" and line - 3 <= s["line"] <= line]
    if not amounts:
        return "not checked: no change amount stated with the percent"
    change = amounts[-1]
    current = _lookup(st, subject, sources)
    if current:
        now, where = current[0].value, Ref(current[0].kind, current[0].lines)
    else:
        stated = [s for s in statements if s["kind"] == "amount" and _same_subject(s["subject"], subject)]
        if not stated:
            return "not checked: no current amount for the change"
        now, where = float(stated[0]["value"]), Ref("narrative", (int(stated[0]["line"]),))
    base = now - float(change["value"])
    if base <= 0:
        return "not checked: the implied previous-year base is not positive"
    computed = 100 * float(change["value"]) / base
    tolerance = _percent_tolerance(st["number_text"])
    if not _differs(abs(float(st["value"])), abs(computed), tolerance) and (float(st["value"]) * computed >= 0):
        return "agrees"
    wrong_base = now and not _differs(abs(float(st["value"])), abs(100 * float(change["value"]) / now), tolerance)
    why = f"; {st['number_text']}% is the change over this year's {_fmt(now)}, not over the base" if wrong_base else ""
    ledger.add("narrative.change", f"the narrative states “{st['evidence']}” ({st['number_text']}%), but a change of "
               f"{_fmt(float(change['value']))} on the implied base {_fmt(base)} (= {_fmt(now)} − change) is "
               f"{computed:.2f}%{why}", round(computed, 4), float(st["value"]),
               [Ref("narrative", tuple(sorted({int(st["line"]), int(change["line"])}))), where], tolerance,
               cause="document")
    return "differs"


def _check_prev(ledger: Ledger, st: Record, sources: Sources) -> str:
    if not isinstance(st["subject"], str):
        return "not checked: no subject"
    found = [f for (c, _), fs in sources.index.items() if c == f"{st['subject']}:prev" for f in fs]
    if not found:
        return "not checked: no table prints the previous year"
    return _compare_stated(ledger, st, found[0], "narrative.amount",
                           f"the narrative states the previous year as “{st['evidence']}” but "
                           f"{label_of(found[0].kind)} prints {_fmt(found[0].value)}")


# ------------------------------------------------------------------ the stage


def _project_lines(projects: Rows, columns: tuple[str, ...]) -> list[Record]:
    """Projects as rows of a budget table (type 项目, under their function code), with the budget's
    columns; a column projects lack is missing (NaN), as ``pd.concat`` leaves it."""
    nan = float("nan")
    lines = []
    for p in projects.records:
        row = {**p, "row_type": "project", "side": "expenditure", "name": p["project_name"]}
        lines.append({c: row.get(c, nan) for c in columns})
    return lines


def reconcile(doc_id: str, frames: dict[str, pd.DataFrame], three_public: pd.DataFrame, statements: pd.DataFrame,
              toc: list[tuple[int, str, str]], fiscal_year: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All checks of one document: its findings, and its narrative statements with their status."""
    tables = Rows.of(frames["tables"])
    ledger = Ledger(
        doc_id,
        unparsed_lines=set(frames["unparsed"]["line"].astype(int)),
        page_breaks={t["table_kind"]: [int(n) for n in str(t["page_break_lines"] or "").split()]
                     for t in tables.records},
        empty_pages={t["table_kind"]: [int(n) for n in str(t["empty_page_lines"] or "").split()]
                     for t in tables.records},
    )
    budget, econ, projects = (Rows.of(frames[name]) for name in ("budget_lines", "economic_lines", "projects"))
    printed = Rows.of(three_public)
    check_summary_sides(ledger, budget.subset([r for r in budget.records if r["table_kind"] in SUMMARY_TABLES]))
    others = [r for r in budget.records if r["table_kind"] not in SUMMARY_TABLES]
    check_row_sums(ledger, Rows.build(budget.columns, others + _project_lines(projects, budget.columns)), "func_code")
    check_row_sums(ledger, econ, "econ_code")
    check_column_identities(ledger, budget, "budget")
    check_column_identities(ledger, econ, "economic")
    named = Rows.build(tuple(dict.fromkeys((*projects.columns, "name"))),
                       [{**p, "name": p["project_name"]} for p in projects.records])
    check_column_identities(ledger, named, "project")
    check_three_public(ledger, printed)
    header_roles = {t["table_kind"]: set(str(t["roles"] or "").split()) for t in tables.records}
    figures = collect_figures(budget, econ, projects, header_roles)
    check_across_tables(ledger, figures, carryover_amounts(figures))
    figures += narrative_figures(printed, budget, projects)
    check_performance(ledger, projects, frames["performance_budgets"], frames["indicators"], figures)
    check_completeness(ledger, tables, toc)
    statements = check_narrative(ledger, statements, figures, budget, fiscal_year)
    return ledger.frame(), statements
