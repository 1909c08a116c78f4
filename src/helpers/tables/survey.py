"""What the split says of the document as a whole: its provincial template, and whether its text was cut
short.
"""
from __future__ import annotations

import pandas as pd

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


def input_problems(doc: RawDocument, unparsed: pd.DataFrame, metadata_inferred: bool) -> list[tuple[str, str]]:
    """What is wrong with the input itself, one line each: a truncated text, unknown tables, no manifest row."""
    problems = []
    truncated = truncation(doc)
    if truncated:
        problems.append(("error", truncated))
    for table in doc.tables:
        if table.kind == "unknown":
            lines = {r.line for r in table.rows}
            n = int(unparsed["line"].isin(lines).sum())
            problems.append(("warning", f"table '{table.title}' (line {table.title_line}) matches no title of "
                                        f"maps/table_kinds.csv: its {n} numbers are kept in unparsed"))
    if metadata_inferred:
        problems.append(("warning", "no manifest row: bureau, year and unit read from the text (metadata_inferred)"))
    return problems
