"""The tidy tables a run writes: their names, columns and row order.
"""
from __future__ import annotations

from helpers.analysis.indicators import NEW_COLUMNS as INDICATOR_NEW_COLUMNS
from helpers.analysis.indicators import SUMMARY_COLUMNS
from helpers.analysis.key_figures import KEY_FIGURE_COLUMNS
from helpers.analysis.profile import CLASS_COLUMNS, PROFILE_COLUMNS
from helpers.checks.ledger import FINDING_COLUMNS
from helpers.pipeline.document import STATEMENT_COLUMNS
from helpers.tables.read import (
    BUDGET_COLUMNS,
    ECON_COLUMNS,
    INDICATOR_COLUMNS,
    PERF_BUDGET_COLUMNS,
    PROJECT_COLUMNS,
    TABLE_COLUMNS,
    UNPARSED_COLUMNS,
)

TABLE_NAMES = [
    "documents", "tables", "budget_lines", "economic_lines", "projects", "performance_budgets",
    "indicators", "key_figures", "narrative_statements", "findings", "unparsed",
    "project_classes", "spending_profile", "indicator_summary",
]
# Tables whose row order is meaningful within a document (measures in reading order).
SORT_KEYS = {"spending_profile": ["doc_id"]}
COLUMNS = {
    "tables": TABLE_COLUMNS, "narrative_statements": STATEMENT_COLUMNS, "findings": FINDING_COLUMNS,
    "budget_lines": BUDGET_COLUMNS, "economic_lines": ECON_COLUMNS, "projects": PROJECT_COLUMNS,
    "performance_budgets": PERF_BUDGET_COLUMNS,
    "unparsed": UNPARSED_COLUMNS, "key_figures": KEY_FIGURE_COLUMNS,
    "project_classes": CLASS_COLUMNS, "spending_profile": PROFILE_COLUMNS,
    "indicators": [("direction_printed" if c == "direction" else c) for c in INDICATOR_COLUMNS] + INDICATOR_NEW_COLUMNS,
    "indicator_summary": SUMMARY_COLUMNS,
}
