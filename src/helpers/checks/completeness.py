"""Completeness: tables the contents list but the document lacks, core template tables absent, tables with
no rows and no note, pages that brought no rows.
"""
from __future__ import annotations

import pandas as pd

from helpers.checks.ledger import Ledger, Ref, label_of
from helpers.checks.records import Rows
from helpers.tables.layout import strip_numbering

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
