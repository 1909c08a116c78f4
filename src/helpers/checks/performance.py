"""Performance tables against the budget: projects matched by name, amounts, totals, splits and renamings,
cost targets above the project amount, names stating an amount.
"""
from __future__ import annotations

import re

import pandas as pd

from helpers.checks.figures import Figure, consensus
from helpers.checks.ledger import FLOAT_NOISE, HALF_CENT, Ledger, Ref, differs, fmt_wan, label_of, sum_finding
from helpers.checks.records import Record, Rows, blank, group_by, is_missing, matches, or_zero
from helpers.tables.names import match_name, name_key

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
    return project_blocks(Rows.of(perf).records)


def project_blocks(records: list[Record]) -> list[Record]:
    """``performance_projects`` of records (with scope, project_name, label, line, table_kind, amount_wan and, where
    printed, project_unit)."""
    rows = [r for r in records if r["scope"] == "project" and not is_missing(r["project_name"])]
    # Within a line, the row with the block's amount (资金总额, 预算数) comes first.
    rows.sort(key=lambda r: (r["line"], not matches(r["label"], PERF_AMOUNT_RE)))
    blocks: list[Record] = []
    previous = None
    for r in rows:
        # A project block starts where its name first appears after another project's.
        key = (r["project_name"], blank(r.get("project_unit")))
        if not blocks or key != previous:
            blocks.append({k: r.get(k) for k in ("table_kind", "project_name", "project_unit", "amount_wan", "line")})
        previous = key
    return blocks


def match_projects(budget: list[Record], perf: list[Record]) -> list[tuple[int, int | None, str]]:
    """(perf row, budget row or None, how): names equal once normalised first, then the
    closest among the budget projects this performance table has not named yet."""
    pairs: list[tuple[int, int | None, str]] = []
    names = [r["project_name"] for r in budget]
    keys = [name_key(n) for n in names]
    # Projects of one name under several units (浙江 表10/表11) pair by unit and name where both tables name the unit.
    unit_keys = [(_unit_key(r.get("project_unit")), k) for r, k in zip(budget, keys, strict=True)]
    for _kind, table in group_by(enumerate(perf), lambda ip: ip[1]["table_kind"]).items():
        exact: dict[int, int] = {}
        for i, p in table:
            key, unit = name_key(p["project_name"]), _unit_key(p.get("project_unit"))
            if unit and (unit, key) in unit_keys:
                exact[i] = unit_keys.index((unit, key))
            elif key in keys and keys.count(key) == 1 or key in keys and not unit:
                exact[i] = keys.index(key)
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


def _unit_key(unit) -> str:
    return name_key(unit) if isinstance(unit, str) and unit else ""


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
        if is_missing(p["amount_wan"]) or is_missing(b["amount_wan"]):
            continue
        refs = [Ref(p["table_kind"], (int(p["line"]),)), Ref(b["table_kind"], (int(b["line"]),))]
        pa, ba = float(p["amount_wan"]), float(b["amount_wan"])
        if not differs(pa, ba):
            continue
        what = f"project “{b['project_name']}” ({how})"
        if not differs(pa, ba, PERF_ROUNDING) and abs(round(pa * 10) - pa * 10) < FLOAT_NOISE:
            ledger.add("perf.amount", f"{what}: {label_of(p['table_kind'])} prints {pa:,.1f}, the budget "
                       f"{fmt_wan(ba)} (the performance table rounds to 0.1 万元)", ba, pa, refs, PERF_ROUNDING,
                       severity="info", cause="document")
        else:
            ledger.add("perf.amount", f"{what}: {label_of(p['table_kind'])} prints {fmt_wan(pa)}, "
                       f"{label_of(b['table_kind'])} {fmt_wan(ba)}", ba, pa, refs)
    for j, b in enumerate(budget):
        if j not in matched_budget:
            ledger.add("perf.missing_targets", f"project “{b['project_name']}” ({fmt_wan(b['amount_wan'])}) of "
                       f"{label_of(b['table_kind'])} has no performance targets in any performance table",
                       None, None, [Ref(b["table_kind"], (int(b["line"]),))])
    _check_perf_totals(ledger, perf_rows.records, blocks, figures)
    _check_cost_indicators(ledger, blocks, Rows.of(indicators).records)


def _check_name_amount(ledger: Ledger, name: str, amount, kind: str, line: int) -> None:
    """A project name that states its amount (…2024年16万) must agree with it."""
    found = NAME_AMOUNT_RE.search(str(name))
    if not found or is_missing(amount):
        return
    stated = float(found.group(1))
    decimals = len(found.group(1).split(".")[1]) if "." in found.group(1) else 0
    tolerance = max(HALF_CENT, 0.5 * 10 ** -decimals)
    if differs(stated, float(amount), tolerance):
        ledger.add("perf.name_amount", f"project “{name}” states {found.group(0)} in its name, "
                   f"{label_of(kind)} prints {fmt_wan(float(amount))}", stated, float(amount),
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
        if not is_missing(amount) and not differs(float(amount), budget_amount):
            note = f"; its amount equals budget project “{b['project_name']}” (the same project under another name?)"
            refs.append(Ref(b["table_kind"], (int(b["line"]),)))
            break
        for other in partners:
            if not is_missing(amount) and not is_missing(other["amount_wan"]) and not differs(
                    float(amount) + float(other["amount_wan"]), budget_amount):
                note = (f"; with “{other['project_name']}” ({fmt_wan(other['amount_wan'])}) it makes up budget "
                        f"project “{b['project_name']}” ({fmt_wan(b['amount_wan'])}): one project split in two")
                refs += [Ref(other["table_kind"], (int(other["line"]),)), Ref(b["table_kind"], (int(b["line"]),))]
                break
        if note:
            break
    ledger.add("perf.unknown_project", f"{label_of(p['table_kind'])} lists project “{p['project_name']}” "
               f"({fmt_wan(amount) if not is_missing(amount) else 'no amount'}) that no budget table lists{note}",
               None, None if is_missing(amount) else float(amount), refs,
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
        inner = total_lines[idx + 1] if idx + 1 < len(total_lines) else None
        if inner is not None and inner < nxt and not differs(float(amounts[line]), float(amounts[inner])):
            continue  # 合计 over a single unit (湖南): the unit's own row is checked against the same projects
        inside = [b for b in blocks if line < b["line"] < nxt]
        if inside:
            kind = inside[0]["table_kind"]
            sum_finding(ledger, "perf.total", f"{label_of(kind)} 合计 of the projects listed under it",
                         float(amounts[line]), [or_zero(b["amount_wan"]) for b in inside],
                         [Ref(kind, (line,)), Ref(kind, tuple(int(b["line"]) for b in inside))])
    _check_perf_rows(ledger, perf)
    reference = consensus(figures, concepts=("total:total", "total:basic", "total:project"))
    wanted = [(totals[:1], "total:project", "项目支出")]
    dept = [r for r in perf if r["scope"] == "department"]
    for pattern, concept, text in ((DEPT_TOTAL_RE, "total:total", "预算总额"), (BASIC_RE, "total:basic", "基本支出"),
                                   (PROJECT_RE, "total:project", "项目支出")):
        wanted.append(([r for r in dept if matches(r["label"], pattern)][:1], concept, text))
    for rows, concept, text in wanted:
        if not rows or concept not in reference:
            continue
        row, ref = rows[0], reference[concept]
        value = float(row["amount_wan"])
        refs = [Ref(row["table_kind"], (int(row["line"]),)), Ref(ref.kind, ref.lines)]
        if not differs(value, ref.value):
            continue
        if not differs(value, ref.value, PERF_ROUNDING) and abs(round(value * 10) - value * 10) < FLOAT_NOISE:
            ledger.add("perf.budget_total", f"{label_of(row['table_kind'])} {text} {value:,.1f} vs "
                       f"{label_of(ref.kind)} {fmt_wan(ref.value)} (rounded to 0.1 万元)", ref.value, value, refs,
                       PERF_ROUNDING, severity="info", cause="document")
        else:
            ledger.add("perf.budget_total", f"{label_of(row['table_kind'])} {text} {fmt_wan(value)} but "
                       f"{label_of(ref.kind)} prints {fmt_wan(ref.value)}", ref.value, value, refs)


PERF_TOTAL_RE = re.compile(r"资金总额|预算总额|年度预算资金总额")
PERF_SOURCE_RE = re.compile(r"^(?!.*其中).*(?:政府预算资金|财政拨款|财政专户|单位资金|其他资金)")
PERF_PURPOSE_RE = re.compile(r"基本支出|项目支出")
MIN_PARTS = 2


def _check_perf_rows(ledger: Ledger, perf: list[Record]) -> None:
    """资金总额 = Σ its sources (政府预算资金, 财政专户, 单位资金 …), on each row of a project block
    and for the 整体 table; the 整体 table's 预算总额 = 基本支出 + 项目支出 too."""
    for (kind, scope), table in group_by(perf, lambda r: (r["table_kind"], r["scope"])).items():
        groups = [table] if scope == "department" else list(group_by(table, lambda r: r["line"]).values())
        for group in groups:
            labels = [r["label"].split(":")[-1] if isinstance(r["label"], str) else None for r in group]
            whole = [r for r, label in zip(group, labels, strict=True) if matches(label, PERF_TOTAL_RE)]
            if not whole:
                continue
            head = whole[0]
            for regex in (PERF_SOURCE_RE, PERF_PURPOSE_RE):
                parts = [r for r, label in zip(group, labels, strict=True) if matches(label, regex) and r is not head]
                if len(parts) < MIN_PARTS:
                    continue  # one source printed (福建: 其他资金 0.00 alone) does not say the others are nil
                lines = tuple(sorted({int(r["line"]) for r in parts}))
                sum_finding(ledger, "perf.total", f"{label_of(kind)} {head['label'].split(':')[-1]} vs its parts",
                             float(head["amount_wan"]), [or_zero(r["amount_wan"]) for r in parts],
                             [Ref(kind, (int(head["line"]),)), Ref(kind, lines)])


def _check_cost_indicators(ledger: Ledger, blocks: list[Record], indicators: list[Record]) -> None:
    """A cost target (成本指标 ≤ x 万元) cannot exceed the project's own amount."""
    if not indicators:
        return
    money = [r for r in indicators if r["scope"] == "project" and matches(r["level1"], COST_RE)
             and r["unit"] in ("万元", "元") and r["operator"] in ("≤", "<", "=", "≦")]
    amounts = {(b["table_kind"], b["project_name"]): (float(b["amount_wan"]), int(b["line"]))
               for b in blocks if not is_missing(b["amount_wan"])}
    for r in money:
        key = (r["table_kind"], r["project_name"])
        if key not in amounts or is_missing(r["target_value"]):
            continue
        amount, line = amounts[key]
        target = float(r["target_value"]) / (10000 if r["unit"] == "元" else 1)
        if target > amount + PERF_ROUNDING:
            ledger.add("perf.cost_target", f"project “{r['project_name']}”: cost target “{r['indicator']}” "
                       f"{r['target_text']} exceeds the project's amount {fmt_wan(amount)}", amount, target,
                       [Ref(r["table_kind"], (int(r["line"]),)), Ref(r["table_kind"], (line,))], PERF_ROUNDING)
