"""What the split says of the document as a whole: its provincial template, and whether its text was cut
short.
"""
from __future__ import annotations

from helpers.tables.split import RawDocument, squeeze


def template_family(doc: RawDocument) -> str:
    """Which provincial template the tables follow, told by the tables themselves."""
    titles = " ".join(t.title for t in doc.tables)
    kinds = {t.kind for t in doc.tables}
    header_cells = {squeeze(c) for t in doc.tables for r in t.rows[:4] for c in r.cells}
    if "功能分类预算表" in titles or "财务收支预算总表" in titles:
        return "shanghai"
    if "指标性质" in header_cells or "general_project" in kinds:
        return "sichuan"
    if {"成本指标", "产出指标", "效益指标"} <= header_cells or "其他运转类" in header_cells:
        return "henan"
    if "basic_econ" in kinds or "special_fund_performance" in kinds:
        return "shandong"
    return "unknown"


def truncation(doc: RawDocument) -> str | None:
    """Why the text looks cut short: it ends inside its last table and the contents list tables after it
    that the text lacks. None when it does not."""
    if not doc.tables or not doc.toc:
        return None
    found = {t.kind for t in doc.tables}
    kinds = [kind for _, _, kind in doc.toc]
    last = max((i for i, kind in enumerate(kinds) if kind in found), default=-1)
    after = [title for _, title, _ in doc.toc[last + 1:]]
    last_table = doc.tables[-1]
    ends_in_table = bool(last_table.rows) and not any(n > last_table.rows[-1].line for n, _ in doc.narrative)
    if after and ends_in_table:  # every table listed after the last one found is absent, by the choice of `last`
        return (f"truncated: the text ends at line {last_table.rows[-1].line} inside {last_table.title or last_table.kind}; "
                f"the contents list {len(after)} more table(s): {', '.join(after)}")
    return None
