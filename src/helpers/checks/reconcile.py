"""Reconciliation stage: check every identity a disclosure implies; each failure is a finding.

Reads only the tidy tables of the cleaning stage (budget_lines, economic_lines, projects,
performance_budgets, indicators, tables, narrative_statements), never the text. The catalogue of checks,
with severities and tolerances, is ``maps/checks.csv``; one module per family: ``within``, ``across``,
``narrative``, ``performance``, ``completeness``.
"""
from __future__ import annotations

import pandas as pd

from helpers.checks.across import check_across_tables
from helpers.checks.completeness import check_completeness
from helpers.checks.figures import carryover_amounts, collect_figures, narrative_figures
from helpers.checks.ledger import Ledger
from helpers.checks.narrative import check_narrative
from helpers.checks.performance import check_performance
from helpers.checks.records import UNREAD, Record, Rows
from helpers.checks.within import SUMMARY_TABLES, check_column_identities, check_row_sums, check_summary_sides, check_three_public
from helpers.frames import column_values


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
              toc: list[tuple[int, str, str]], fiscal_year: int | None,
              pages: tuple[int | None, ...] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """All checks of one document: its findings, its narrative statements with their status, and the number of
    identities checked."""
    tables = Rows.of(frames["tables"], UNREAD)
    ledger = Ledger(
        doc_id,
        unparsed_lines=set(column_values(frames["unparsed"], "line").astype(int).tolist()),
        page_breaks={t["table_kind"]: [int(n) for n in str(t["page_break_lines"] or "").split()]
                     for t in tables.records},
        empty_pages={t["table_kind"]: [int(n) for n in str(t["empty_page_lines"] or "").split()]
                     for t in tables.records},
        pages=pages,
    )
    budget, econ, projects = (Rows.of(frames[name], UNREAD) for name in ("budget_lines", "economic_lines", "projects"))
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
    check_performance(ledger, projects, Rows.of(frames["performance_budgets"], UNREAD),
                      Rows.of(frames["indicators"], UNREAD), figures)
    check_completeness(ledger, tables, toc)
    statements = check_narrative(ledger, statements, figures, budget, fiscal_year)
    return ledger.frame(), statements, ledger.checked
