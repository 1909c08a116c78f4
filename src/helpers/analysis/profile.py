"""Spending profile of one document: personnel vs project spending, with transfers separated.

A medical security bureau's 项目支出 is mostly money passed on to insurance funds and to
persons (medical assistance); and part of its personnel cost hides inside projects. The
profile splits 项目支出 into transfers, the bureau's own personnel cost and administrative
projects, by documented rules (maps/spending_rules.csv, maps/econ_personnel.csv), and records
for every project the rule that classed it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from helpers.checks.ledger import FINDING_COLUMNS, check_catalogue
from helpers.checks.records import column_list, column_lists, column_sum, is_missing
from helpers.config import MAPS_DIR
from helpers.frames import column_values, frame_of, owned, records_frame, text_array, with_columns
from helpers.ingest.layer import pages_of_lines

# Amounts are 万元 with two decimals: equal within half a cent of 万元.
AMOUNT_TOLERANCE_WAN = 0.005
FUNCTION_KINDS_BY_PREFERENCE = ("expenditure", "general_expenditure")
CLASS_COLUMNS = [
    "doc_id", "table_kind", "line", "project_name", "project_type", "amount_wan", "func_code",
    "func_code_source", "spending_class", "transfer_kind", "rule_id", "rule",
]
PROFILE_COLUMNS = ["doc_id", "measure", "value", "unit", "basis", "table_kind", "line", "note", "contested_by"]
TRANSFER_KINDS = ("total", "insurance_fund", "medical_assistance", "persons")
# Why a measure is missing: a table the document leaves empty or does not have gives no figure, not a 0.
NO_PROJECT_LIST = "no project list (项目支出表 empty or missing)"
NO_FUNCTION_LINES = "no function line of project spending (支出总表 empty or missing)"
UNKNOWN_TRANSFERS = f"{NO_PROJECT_LIST} and {NO_FUNCTION_LINES}"
UNKNOWN_INPUT = "unknown: a measure it is computed from is unknown"


@dataclass(frozen=True)
class Rule:
    rule_id: str
    field: str
    pattern: re.Pattern | None
    spending_class: str
    transfer_kind: str | None
    description: str


@cache
def spending_rules() -> tuple[Rule, ...]:
    table = pd.read_csv(MAPS_DIR / "spending_rules.csv", dtype=str, keep_default_na=False)
    return tuple(
        Rule(r.rule_id, r.field, re.compile(r.pattern) if r.pattern else None, r.spending_class,
             r.transfer_kind or None, r.description)
        for r in table.itertuples()
    )


@cache
def econ_personnel_rules() -> tuple[tuple[re.Pattern, str], ...]:
    table = pd.read_csv(MAPS_DIR / "econ_personnel.csv", dtype=str, keep_default_na=False)
    return tuple((re.compile(r.pattern), r.counts_as) for r in table.itertuples())


@cache
def headcount_patterns() -> tuple[tuple[str, re.Pattern, re.Pattern], ...]:
    table = pd.read_csv(MAPS_DIR / "headcount_patterns.csv", dtype=str, keep_default_na=False)
    return tuple((r.source, re.compile(r.pattern), re.compile(r.exclude)) for r in table.itertuples())


def _text(value: object) -> str:
    """A cell as text: "" for a missing one (None, NaN)."""
    return value if isinstance(value, str) else ""


def classify_project(name: str, project_type: str | None, func_code: str | None) -> Rule:
    """The first rule that matches a project (rules are ordered: personnel, function code, name)."""
    values = {"project_name": _text(name), "project_type": _text(project_type), "func_code": _text(func_code)}
    for rule in spending_rules():
        if rule.pattern is None or (values[rule.field] and rule.pattern.search(values[rule.field])):
            return rule
    raise AssertionError("spending_rules.csv must end with a catch-all rule")


def function_items(budget_lines: pd.DataFrame) -> tuple[list, list[float]]:
    """(function codes, project amounts) of the 项-level rows of the best function table (支出总表, else
    一般公共预算支出表) with project spending."""
    lists = column_lists(budget_lines, ("table_kind", "func_level", "project_wan", "func_code"))
    kinds, levels, amounts, codes = (lists[c] for c in ("table_kind", "func_level", "project_wan", "func_code"))
    for kind in FUNCTION_KINDS_BY_PREFERENCE:
        rows = [i for i, (k, level) in enumerate(zip(kinds, levels, strict=True)) if k == kind and level == "项"]
        if rows:
            rows = [i for i in rows if amounts[i] > 0]  # NaN > 0 is False, as fillna(0) > 0
            return [codes[i] for i in rows], [amounts[i] for i in rows]
    return [], []


def attach_function_codes(projects: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Function code of each project: as printed, else the one function line whose project
    spending equals the project's amount when no other project or line has that amount."""
    return _attach_function_codes(projects, column_list(items["func_code"]), column_list(items["project_wan"]))


CARRIED_COLUMNS = ["doc_id", "table_kind", "line", "project_name", "project_type", "amount_wan"]  # then the codes


def _attach_function_codes(projects: pd.DataFrame, item_codes: list, item_amounts: list[float]) -> pd.DataFrame:
    codes = column_list(projects["func_code"])
    sources = ["none" if is_missing(code) else "printed" for code in codes]
    rounded = np.round(np.array(item_amounts, dtype="float64"), 2).tolist()  # numpy's rounding, as Series.round
    project_amounts = projects["amount_wan"].round(2).tolist()
    printed = column_values(projects, "func_code")
    given = None  # a copy of the printed codes, made at the first code matched (objects, if none was printed)
    for i, (code, amount) in enumerate(zip(codes, project_amounts, strict=True)):
        if not is_missing(code) or is_missing(amount):  # a printed code, or no amount to match
            continue
        if rounded.count(amount) == 1 and project_amounts.count(amount) == 1:
            if given is None:
                given = printed.astype(object) if printed.dtype == np.float64 else printed.copy()
            given[i], sources[i] = item_codes[rounded.index(amount)], "amount_match"
    # The columns as a frame at once (selecting them and setting two cost several times the matching).
    out = frame_of({**{c: owned(column_values(projects, c)) for c in CARRIED_COLUMNS},
                    "func_code": owned(printed) if given is None else given,
                    "func_code_source": text_array(sources)}, len(projects))
    out.index = projects.index
    return out


def classify_projects(projects: pd.DataFrame, budget_lines: pd.DataFrame) -> pd.DataFrame:
    """One row per project with its spending class and the rule that put it there."""
    if projects.empty:
        return pd.DataFrame(columns=CLASS_COLUMNS)
    out = _attach_function_codes(projects, *function_items(budget_lines))
    lists = column_lists(out, ("project_name", "project_type", "func_code"))
    rules = [classify_project(n, t, c) for n, t, c in zip(lists["project_name"], lists["project_type"], lists["func_code"],
                                                           strict=True)]
    out = with_columns(out, {"spending_class": [r.spending_class for r in rules],
                             "transfer_kind": [r.transfer_kind for r in rules],
                             "rule_id": [r.rule_id for r in rules], "rule": [r.description for r in rules]})
    out.index = pd.RangeIndex(len(out))  # the columns are CLASS_COLUMNS already, in order
    return out


def econ_project_amounts(economic_lines: pd.DataFrame) -> pd.DataFrame:
    """Project spending per economic code: the all-expenditure table's amount less the basic one.

    Only the 支出经济分类汇总表 covers project spending by economic code; the basic tables
    (一般公共预算基本支出表, 基本支出预算情况表) give what of it is basic."""
    rows = _econ_project_rows(economic_lines)
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=["econ_code", "econ_name", "project_wan", "lines"])


ECON_COLUMNS = ("table_kind", "row_type", "econ_code", "econ_name", "line", "project_wan", "total_wan", "basic_wan")


def _econ_project_rows(economic_lines: pd.DataFrame) -> list[dict]:
    """The rows of econ_project_amounts, from column lists."""
    lists = column_lists(economic_lines, ECON_COLUMNS)
    kinds, types, codes = lists["table_kind"], lists["row_type"], lists["econ_code"]
    summary = [i for i, (kind, row_type, code) in enumerate(zip(kinds, types, codes, strict=True))
               if kind == "econ_summary" and row_type == "item" and not is_missing(code)]
    if not summary:
        return []
    has_project_column = any(not is_missing(lists["project_wan"][i]) for i in summary)
    basic_by_code = {} if has_project_column else _basic_by_code(lists)
    # np.nansum adds as Series.sum did.
    values = np.array(lists["project_wan" if has_project_column else "total_wan"], dtype="float64")
    positions: dict[str, list[int]] = {}
    for i in summary:
        positions.setdefault(codes[i], []).append(i)
    rows = []
    for code in sorted(positions):
        members = positions[code]
        amount = np.nansum(values[members])
        if not has_project_column:
            amount = amount - float(basic_by_code.get(code, 0.0))
        rows.append({"econ_code": code, "econ_name": lists["econ_name"][members[0]], "project_wan": round(amount, 2),
                     "lines": " ".join(str(lists["line"][i]) for i in members)})
    return rows


def _basic_by_code(lists: dict[str, list]) -> dict[str, float]:
    """The basic tables' amount per economic code (一般公共预算基本支出表, else 基本支出预算情况表)."""
    kinds, types = lists["table_kind"], lists["row_type"]
    basic_kind = "basic_econ" if "basic_econ" in kinds else "general_basic_econ"
    rows = [i for i, (kind, row_type) in enumerate(zip(kinds, types, strict=True))
            if kind == basic_kind and row_type == "item"]
    if not rows:
        return {}
    # pandas' grouped sum (compensated, in row order): the very sum the frame version gave.
    amounts = pd.Series([lists["basic_wan"][i] for i in rows], dtype="float64")
    return amounts.groupby([lists["econ_code"][i] for i in rows]).sum(min_count=1).fillna(0).to_dict()


def econ_counts_as(code: str) -> str | None:
    for pattern, counts_as in econ_personnel_rules():
        if pattern.search(code):
            return counts_as
    return None


HEADCOUNT_COLUMNS = ("indicator", "unit", "target_value", "line")


def find_headcount(indicators: pd.DataFrame, narrative_lines: list[tuple[int, str]]) -> tuple[float, str, int] | None:
    """The bureau's own staff count, from a performance indicator or a narrative sentence:
    (count, source, line), or None when the document does not disclose it."""
    for source, pattern, exclude in headcount_patterns():
        if source == "indicator":
            columns = column_lists(indicators, HEADCOUNT_COLUMNS)
            for indicator, unit, target, line in zip(*(columns[c] for c in HEADCOUNT_COLUMNS), strict=True):
                name = str(indicator)
                if unit == "人" and pd.notna(target) and pattern.search(name) and not exclude.search(name):
                    return float(target), "indicator", int(line)
        else:
            for line, text in narrative_lines:
                for clause in re.split(r"[。；;，,]", text):
                    hit = pattern.search(clause)
                    if hit and not exclude.search(clause):
                        return float(hit.group(1)), "narrative", line
    return None


def _figures(key_figures: pd.DataFrame) -> dict[str, tuple[float, str, int]]:
    """Each key figure, as printed in a table if any table prints it, else as the narrative states it.
    Read once per document: filtering the frame for each of the six figures cost more than the profile."""
    first: dict[tuple[str, str], tuple[float, str, int]] = {}
    names = ("figure", "source", "value_wan", "table_kind", "line")
    columns = column_lists(key_figures, names)
    for figure, source, value, kind, line in zip(*(columns[c] for c in names), strict=True):
        if source in ("table", "narrative") and pd.notna(value) and (figure, source) not in first:
            first[(figure, source)] = (float(value), kind if source == "table" else "narrative", int(line))
    figures: dict[str, tuple[float, str, int]] = {}
    for (figure, source), found in first.items():
        if source == "table" or figure not in figures:
            figures[figure] = found
    return figures


def build_profile(doc_id: str, frames: dict[str, pd.DataFrame], classes: pd.DataFrame,
                  narrative_lines: list[tuple[int, str]]) -> pd.DataFrame:
    """The spending profile of one document, one row per measure, each with its basis and source line."""
    rows: list[dict] = []
    errors = _error_lines(frames["findings"])

    def add(measure: str, value: float | None, basis: str, kind: str | None = None, line: int | None = None,
            note: str = "", unit: str = "万元") -> None:
        contested = sorted({check for check, lines in errors if line in lines}) if line is not None else []
        rows.append({"doc_id": doc_id, "measure": measure,
                     "value": None if value is None else round(value, 4) + 0.0,  # + 0.0: no negative zero
                     "unit": unit, "basis": basis, "table_kind": kind, "line": line,
                     "note": note or (UNKNOWN_INPUT if value is None else ""), "contested_by": " ".join(contested)})

    figures = _figures(frames["key_figures"])
    basic = figures.get("basic_expenditure")
    project = figures.get("project_expenditure")
    for measure, found in (("basic_wan", basic), ("project_wan", project)):
        if found:
            add(measure, found[0], "printed", found[1], found[2])
    total = basic[0] + project[0] if basic and project else None
    if total is not None:
        add("total_expenditure_wan", total, "basic_wan + project_wan", basic[1], basic[2])
    personnel = figures.get("personnel_expenditure")
    public = figures.get("public_expenditure")
    if personnel:
        add("personnel_basic_wan", personnel[0], "printed (人员经费 of basic expenditure)", personnel[1], personnel[2])
    if public:
        add("public_basic_wan", public[0], "printed (公用经费 of basic expenditure)", public[1], public[2])

    no_projects = project is not None and project[0] == 0  # nothing to class: every project measure is a true 0
    transfers: dict[str, float] | None = _transfers(classes) if not classes.empty or no_projects else None
    by_function = _transfers_by_function(frames["budget_lines"])
    listed = column_lists(classes, ("spending_class", "amount_wan"))
    uncovered = project[0] - float(column_sum(listed["amount_wan"])) if project and not classes.empty else None
    basis = "projects table, classed by maps/spending_rules.csv"
    if project and not no_projects and (classes.empty or abs(uncovered) > max(1.0, 0.005 * project[0])):
        # The project list is missing or incomplete: class the function lines instead.
        transfers = by_function
        basis = "function codes of project spending (the project list does not cover 项目支出)"
    unknown = UNKNOWN_TRANSFERS if classes.empty else f"the project list does not cover 项目支出 and {NO_FUNCTION_LINES}"
    for kind in TRANSFER_KINDS:
        add(f"transfers_{kind}_wan" if kind != "total" else "transfers_wan", _get(transfers, kind), basis,
            note="" if transfers else f"{unknown}: unknown")
    add("transfers_by_function_wan", _get(by_function, "total"), "function codes of project spending (cross-check)",
        note=_difference_note(_get(transfers, "total"), by_function["total"]) if by_function else NO_FUNCTION_LINES)
    if uncovered is not None:
        add("project_unlisted_wan", uncovered, "项目支出 less the projects listed")
    transferred = _get(transfers, "total")

    by_projects = (float(column_sum(a for c, a in zip(listed["spending_class"], listed["amount_wan"], strict=True)
                                    if c == "personnel"))
                   if not classes.empty or no_projects else None)
    econ = _econ_project_rows(frames["economic_lines"])
    by_econ = None
    if econ:
        staff = [r for r in econ if econ_counts_as(r["econ_code"]) == "personnel"]
        by_econ = float(np.clip(np.array([r["project_wan"] for r in staff], dtype="float64"), 0, None).sum())
        add("project_personnel_by_econ_wan", by_econ, "staff-pay economic codes in project spending (maps/econ_personnel.csv)",
            "econ_summary", note="; ".join(f"{r['econ_code']} {r['econ_name']} {r['project_wan']:g}" for r in staff
                                           if r["project_wan"] > 0))
    add("project_personnel_by_projects_wan", by_projects, "projects classed personnel",
        note="" if by_projects is not None else NO_PROJECT_LIST)
    estimates = [v for v in (by_projects, by_econ) if v is not None]
    hidden = max(estimates) if estimates else None
    hidden_basis = "economic codes" if by_econ is not None and by_econ > (by_projects or 0.0) else "projects"
    add("project_personnel_wan", hidden, f"larger of the two estimates ({hidden_basis})",
        note="" if estimates else f"{NO_PROJECT_LIST} and no 支出经济分类汇总表: unknown")
    project_admin = _less(project[0], transferred, hidden) if project else None
    if project:
        add("project_admin_wan", project_admin, "project_wan - transfers_wan - project_personnel_wan")
    # No basic spending (基本支出 0) has no 人员经费 to print: 0, not unknown.
    personnel_basic = personnel[0] if personnel else (0.0 if basic and basic[0] == 0 else None)
    personnel_total = _sum(personnel_basic, hidden)
    add("personnel_total_wan", personnel_total, "personnel_basic_wan + project_personnel_wan",
        note="" if personnel_basic is not None else "人员经费 of basic expenditure not printed: unknown")
    if total is not None:
        admin = _less(total, transferred)
        add("admin_budget_wan", admin, "total_expenditure_wan - transfers_wan")
        add("transfers_share_pct", _pct(transferred, total), "of total_expenditure_wan", unit="%")
        add("project_share_pct", _pct(project[0], total), "raw 项目支出 share, of total_expenditure_wan", unit="%")
        add("personnel_share_of_total_pct", _pct(personnel_total, total), "of total_expenditure_wan", unit="%")
        add("personnel_share_of_admin_pct", _pct(personnel_total, admin), "of admin_budget_wan", unit="%")
        if project:
            add("project_admin_share_of_admin_pct", _pct(project_admin, admin), "of admin_budget_wan", unit="%")
    for measure, figure in (("three_public_wan", "three_public_total"), ("operating_expenses_wan", "operating_expenses")):
        found = figures.get(figure)
        if found:
            add(measure, found[0], "printed", found[1], found[2])
    headcount = find_headcount(frames["indicators"], narrative_lines)
    if headcount:
        count, source, line = headcount
        add("headcount", count, f"disclosed in the {source}", source if source == "narrative" else "indicator", line,
            unit="人")
        add("personnel_per_staff_wan", _ratio(personnel_total, count), "personnel_total_wan / headcount", unit="万元/人")
        if total is not None:
            add("admin_budget_per_staff_wan", _ratio(_less(total, transferred), count), "admin_budget_wan / headcount",
                unit="万元/人")
    return records_frame(rows, PROFILE_COLUMNS)


REMAINDERS = ("admin_budget_wan", "project_admin_wan")  # a whole less its parts: negative only if a part is wrong
FLOAT_NOISE = 1e-6


def check_profile(doc_id: str, profile: pd.DataFrame,
                  pages: tuple[int | None, ...] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measures no document can have: a share outside 0–100%, a negative remainder (the bureau's own budget, its
    administrative projects). Each is a finding, and its measure is marked contested by it. Returns the profile and
    the findings."""
    rows, contested = [], profile["contested_by"].tolist()
    names = ("measure", "value", "unit", "basis", "table_kind", "line")
    columns = column_lists(profile, names)
    for i, (measure, value, unit, basis, kind, line) in enumerate(zip(*(columns[c] for c in names), strict=True)):
        if value is None or pd.isna(value):
            continue
        if unit == "%" and not -FLOAT_NOISE <= value <= 100 + FLOAT_NOISE:
            check, bound = "profile.share_range", (0.0 if value < 0 else 100.0)
            message = (f"spending profile: {measure} is {value:,.2f}% ({basis}), outside 0–100%: the figures it divides "
                       "cannot both be right (a table counted twice?)")
        elif measure in REMAINDERS and value < -FLOAT_NOISE:
            check, bound = "profile.negative_remainder", 0.0
            message = (f"spending profile: {measure} is {value:,.2f} 万元 ({basis}), below 0: what is subtracted exceeds "
                       "the whole (a table counted twice?)")
        else:
            continue
        contested[i] = " ".join(sorted({*str(contested[i] or "").split(), check}))
        lines = [int(line)] if line is not None and pd.notna(line) else []
        rows.append({"doc_id": doc_id, "check": check, "family": check_catalogue()[check]["family"],
                     "severity": check_catalogue()[check]["severity"], "cause": "document", "message": message,
                     "expected": bound, "actual": value, "difference": round(value - bound, 6), "tolerance": 0.0,
                     "refs": f"{kind if isinstance(kind, str) and kind else 'spending_profile'}:{measure}",
                     "lines": " ".join(map(str, lines)),
                     "pages": " ".join(str(n) for n in pages_of_lines(pages, lines))})
    return with_columns(profile, {"contested_by": contested}), records_frame(rows, FINDING_COLUMNS)


def _error_lines(findings: pd.DataFrame) -> list[tuple[str, set[int]]]:
    """(check, lines) of each error finding: a profile figure printed on such a line is contested."""
    names = ("severity", "check", "lines")
    columns = column_lists(findings, names)
    return [(check, {int(n) for n in str(lines).split()})
            for severity, check, lines in zip(*(columns[c] for c in names), strict=True)
            if severity == "error"]


def _transfers(classes: pd.DataFrame) -> dict[str, float]:
    out = dict.fromkeys(TRANSFER_KINDS, 0.0)
    if classes.empty:
        return out
    # The two columns as Series of their own (filtering the frame took most of the profile's time).
    moved = np.asarray(column_values(classes, "spending_class") == "transfer", dtype=bool)
    amounts = pd.Series(column_values(classes, "amount_wan")[moved])
    out["total"] = float(amounts.sum())
    for kind, value in amounts.groupby(column_values(classes, "transfer_kind")[moved]).sum().items():
        out[kind] = float(value)
    return out


def _transfers_by_function(budget_lines: pd.DataFrame) -> dict[str, float] | None:
    """Transfers among the function lines of project spending; None when the document prints no such line."""
    out = dict.fromkeys(TRANSFER_KINDS, 0.0)
    codes, amounts = function_items(budget_lines)
    if not codes:
        return None
    for code, amount in zip(codes, amounts, strict=True):
        for rule in spending_rules():
            if rule.field == "func_code" and rule.pattern.search(str(code)):
                if rule.spending_class == "transfer":
                    out["total"] += float(amount)
                    out[rule.transfer_kind] += float(amount)
                break
    return out


def _difference_note(by_projects: float | None, by_function: float) -> str:
    if by_projects is None:
        return ""
    diff = round(by_function - by_projects, 2)
    return "" if abs(diff) < AMOUNT_TOLERANCE_WAN else f"differs from transfers_wan by {diff:g}"


def _pct(part: float | None, whole: float | None) -> float | None:
    return 100.0 * part / whole if part is not None and whole else None


def _ratio(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


def _sum(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else sum(values)


def _less(value: float | None, *parts: float | None) -> float | None:
    """value minus the parts; None (unknown) when any of them is."""
    if value is None or any(p is None for p in parts):
        return None
    return value - sum(parts)


def _get(values: dict[str, float] | None, key: str) -> float | None:
    return None if values is None else values[key]
