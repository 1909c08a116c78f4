"""The figures a document prints in more than one place, each with its concept and funding scope: what the
across-table, narrative and performance checks compare.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from helpers.checks.ledger import column_scopes, present_roles, role_label, table_coverage, table_scopes
from helpers.checks.records import Record, Rows, blank, column_sum, group_by, is_missing, or_zero
from helpers.checks.within import OF_WHICH_RE, SECTION_RE, SUMMARY_TABLES, TOTAL_TYPES, row_name
from helpers.tables.layout import role_of_path, strip_numbering


@dataclass(frozen=True)
class Figure:
    concept: str  # what the number is: "func:210:total", "total:basic", "income:general_budget" …
    scope: str
    value: float
    kind: str
    line: int
    label: str
    more: tuple[int, ...] = ()  # other lines summed into the figure
    period: str = "all"  # current: this year's appropriations only; all: with the carry-over they spend

    @property
    def lines(self) -> tuple[int, ...]:
        return tuple(sorted({self.line, *self.more}))


LISTED_TYPES = TOTAL_TYPES | {"class", "kuan", "item"}  # rows whose blank cell is a figure (zero)
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
    for kind, table in group_by(budget.records, lambda r: r["table_kind"]).items():
        if kind == "procurement":  # by function code, but purchases, not spending of the code
            continue
        filled = present_roles(budget.subset(table))
        # (Not for two-sided tables: their header roles belong to one side or the other.)
        empty = () if kind in SUMMARY_TABLES else header_roles.get(kind, ())
        roles = filled + sorted(r for r in empty
                                if r not in filled and r in PURPOSE_ROLES and f"{r}_wan" in budget.columns)
        if any(r.startswith("carryover_") for r in roles):
            # Source columns split into 本年 and 结转: each is one period of the scope, not the scope.
            roles = [r for r in roles if r not in SOURCE_ROLES]
        plan = _figure_plan(kind, roles)
        for side, rows in group_by(table, lambda r: blank(r["side"])).items():
            if side == "income":
                figures += _income_figures(kind, rows, roles)
                continue
            for row in rows:
                if kind in PROJECT_TABLES and row["row_type"] not in TOTAL_TYPES:
                    continue
                key = _row_key(row)
                if key is None:
                    continue
                listed, line, name = row["row_type"] in LISTED_TYPES, int(row["line"]), row_name(row)
                for column, what, scope in plan:
                    value = row[column]
                    if listed or not is_missing(value):
                        figures.append(Figure(f"{key}:{what}", scope, or_zero(value), kind, line, name))
    figures += _econ_figures(Rows.of(econ))
    figures += _project_figures(Rows.of(projects).records)
    return [with_period(f) for f in _merge_same_table(figures)]


PROJECT_TABLES = {"projects", "general_project"}
SOURCE_ROLES = {"general_budget", "gov_fund", "state_capital", "fiscal_total"}


def _figure_plan(kind: str, roles: list[str]) -> list[tuple[str, str, str]]:
    """(column, what the figure is of its row, scope) of each role a spending row of this table prints as a figure:
    a project table's 合计 is project spending, in the scope of its column; a purpose column is itself, in the
    table's scope; a source column is the row's total, in the source's scope."""
    plan = []
    for role in roles:
        if kind in PROJECT_TABLES:
            if role in {"total"} | SOURCE_ROLES:
                plan.append((f"{role}_wan", "project", scope_of(kind, role)))
        elif role in PURPOSE_ROLES:
            plan.append((f"{role}_wan", role, table_scopes().get(kind, "all")))
        elif role in SOURCE_ROLES and kind != "income":
            plan.append((f"{role}_wan", "total", scope_of(kind, role)))
    return plan


def with_period(figure: Figure) -> Figure:
    """The figure with its table's period, unless the row said it already (a 本年收入 section's items)."""
    if figure.period != "all":
        return figure
    period = table_coverage().get(figure.kind, ("all", ""))[0]
    if period == figure.period:
        return figure  # frozen: the same figure
    return Figure(figure.concept, figure.scope, figure.value, figure.kind, figure.line, figure.label, figure.more, period)


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
    period = "all"  # items under 一、本年收入 are this year's income, without the carry-over
    for row in rows:
        name = str(row["name"] or "")
        row_type = row["row_type"]
        if row_type == "current_total" and SECTION_RE.match(name):
            period = "current"
        if row_type == "carryover":
            in_carryover, period = True, "all"
            figures.append(Figure("carryover", "all", or_zero(row["total_wan"]), kind, int(row["line"]), name))
            continue
        if row_type in TOTAL_TYPES:
            in_carryover = False
            if kind == "income":  # 收入总表: the source columns of its 合计 row
                for role in roles:
                    concept = {"total": "grand_total", "current_year": "current_income"}.get(role, f"income:{role}")
                    if role.startswith("carryover"):
                        concept = "carryover" if role == "carryover" else f"carryover:{role[10:]}"
                    if row_type == "total":
                        figures.append(Figure(concept, "all", or_zero(row[f"{role}_wan"]), kind, int(row["line"]), name))
                break
            concept = {"grand_total": "grand_total", "current_total": "current_income"}[row_type]
            figures.append(Figure(concept, table_scopes().get(kind, "all"), or_zero(row["total_wan"]), kind,
                                  int(row["line"]), name))
            continue
        if OF_WHICH_RE.match(name):
            continue
        role = role_of_path([strip_numbering(name)])
        if role in {"general_budget", "gov_fund", "state_capital", "fiscal_total", "special_account",
                    "business_income", "operating_income", "superior_subsidy", "affiliated_income",
                    "other_income", "unit_funds", "non_fiscal_surplus"}:
            concept = f"carryover:{role}" if in_carryover else f"income:{role}"
            figures.append(Figure(concept, "all", or_zero(row["total_wan"]), kind, int(row["line"]), name,
                                  period=period))
    return figures


def _econ_figures(econ: Rows) -> list[Figure]:
    figures = []
    for kind, table in group_by(econ.records, lambda r: r["table_kind"]).items():
        roles = present_roles(econ.subset(table))
        purpose = table_coverage().get(kind, ("all", ""))[1]  # a basic (or project) table's total is that purpose
        for row in table:
            if row["row_type"] == "total":
                key = "total"
            elif row["row_type"] in {"class", "item"} and isinstance(row["econ_code"], str):
                key = f"econ:{row['econ_code']}"
            else:
                continue
            for role in roles:
                if role in {"total", "fiscal_total", "general_budget"} and purpose:
                    concept_role = purpose
                elif role in {"total", "basic", "project", "personnel", "public"}:
                    concept_role = role
                else:
                    continue
                if kind == "operating_expenses":
                    if key != "total":
                        continue
                    key, concept_role = "operating_expenses", "total"
                scope = scope_of(kind, role) if role in column_scopes() else table_scopes().get(kind, "all")
                figures.append(Figure(f"{key}:{concept_role}", scope, or_zero(row[f"{role}_wan"]), kind,
                                      int(row["line"]), row_name(row)))
    return figures


def _project_figures(projects: list[Record]) -> list[Figure]:
    """Project amounts summed by type and by function code, as the budget tables print them."""
    figures = []
    for kind, table in group_by(projects, lambda r: r["table_kind"]).items():
        scope = table_scopes().get(kind, "all")
        lines = [int(r["line"]) for r in table]
        any_typed = any(not is_missing(r["project_type"]) for r in table)
        for role in ("project_other", "project_specific", "project_personnel"):
            typed = [r for r in table if r["project_type"] == TYPE_OF_ROLE[role]]
            if typed or any_typed:
                figures.append(Figure(f"total:{role}", scope, round(column_sum(r["amount_wan"] for r in typed), 6),
                                      kind, min(lines), "Σ projects of the type"))
        coded = group_by(table, lambda r: r["func_code"])
        for code in sorted(coded):  # groupby sorts its keys
            group = coded[code]
            figures.append(Figure(f"func:{code}:project", scope, round(column_sum(r["amount_wan"] for r in group), 6),
                                  kind, min(int(r["line"]) for r in group), "Σ projects under the code"))
    return figures


TYPE_OF_ROLE = {"project_other": "其他运转类", "project_specific": "特定目标类", "project_personnel": "人员类"}


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


def consensus(figures: list[Figure], scope: str = "all", concepts: Collection[str] | None = None) -> dict[str, Figure]:
    """Per concept (of ``concepts``, when given: each is voted on apart, a document prints thousands of figures), a
    figure carrying the value most tables print, among the figures of ``scope`` where any (a 政府性基金 table's
    项目支出 0.00 is no vote on the department's 项目支出)."""
    if concepts is not None:
        figures = [f for f in figures if f.concept in concepts]
    votes: dict[str, dict[float, list[Figure]]] = defaultdict(lambda: defaultdict(list))
    scoped = {f.concept for f in figures if f.scope == scope}
    for f in figures:
        if f.scope == scope or f.concept not in scoped:
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


def narrative_figures(three_public: pd.DataFrame | Rows, budget: pd.DataFrame | Rows,
                      projects: pd.DataFrame | Rows) -> list[Figure]:
    """Figures only the narrative and one table print: 三公, procurement, project count."""
    figures = []
    for row in Rows.of(three_public).records:
        if row.get("total_row") is False:
            continue  # a unit's or a fund's row of a 三公 table: the document's figures are on its figures row
        kind = row["table_kind"]
        scope = row.get("scope") or table_scopes().get(kind, "all")
        figure = row["figure"].removesuffix("_prev_year")
        concept = f"{figure}:prev" if row["figure"].endswith("_prev_year") else f"{figure}:total"
        figures.append(with_period(Figure(concept, scope, float(row["value_wan"]), kind, int(row["line"]),
                                          role_label(figure))))
    procurement = next((r for r in Rows.of(budget).records
                        if r["table_kind"] == "procurement" and r["row_type"] == "total"), None)
    if procurement is not None:
        figures.append(Figure("procurement:total", "all", or_zero(procurement["total_wan"]), "procurement",
                              int(procurement["line"]), "合计"))
    listed = Rows.of(projects).records
    if listed:
        first = listed[0]
        figures.append(Figure("project_count", "all", float(len(listed)), first["table_kind"],
                              int(first["line"]), "projects listed"))
    return figures
