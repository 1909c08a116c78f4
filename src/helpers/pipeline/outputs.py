"""The tidy tables a run writes: their names and row order. Their columns, in order, are the data dictionary's."""
from __future__ import annotations

from helpers.schema import dictionary_columns

TABLE_NAMES = [
    "documents", "tables", "budget_lines", "economic_lines", "projects", "performance_budgets",
    "indicators", "key_figures", "narrative_statements", "findings", "unparsed",
    "project_classes", "spending_profile", "indicator_summary",
]
# Tables whose row order is meaningful within a document (measures in reading order).
SORT_KEYS = {"spending_profile": ["doc_id"]}


def columns_of(table: str) -> list[str]:
    """The columns of a table, in the order the data dictionary lists them (and the files hold them)."""
    return dictionary_columns()[table]
