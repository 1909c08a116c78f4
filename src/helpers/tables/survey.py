"""What the split says of the document as a whole: its provincial template, and whether its text was cut
short.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.split import RawDocument, squeeze


@lru_cache(maxsize=1)
def template_signatures() -> list[tuple[str, str, re.Pattern]]:
    table = pd.read_csv(MAPS_DIR / "templates.csv", dtype=str)
    return [(r.family, r.where, re.compile(r.pattern)) for r in table.itertuples()]


def template_family(doc: RawDocument) -> str:
    """Which provincial template the tables follow, told by the tables themselves: the first signature of
    maps/templates.csv that a table's title, label, header cells or kind shows; unknown when none does."""
    fields = {
        "title": [squeeze(t.title) for t in doc.tables],
        "label": [t.label for t in doc.tables if t.label],
        "header": [" ".join(squeeze(c) for r in t.rows[:4] for c in r.cells if c) for t in doc.tables],
        "kind": [t.kind for t in doc.tables],
    }
    for family, where, regex in template_signatures():
        if any(regex.search(text) for text in fields[where]):
            return family
    return "unknown"


@lru_cache(maxsize=1)
def document_types() -> list[tuple[str, re.Pattern]]:
    table = pd.read_csv(MAPS_DIR / "document_types.csv", dtype=str)
    return [(r.document_type, re.compile(r.pattern)) for r in table.itertuples()]


COVER_LINES = 40  # the cover and contents: where a document says what it is


def document_type(doc: RawDocument) -> str:
    """部门预算, 单位预算 or 决算, from the cover (first lines) and the table titles (maps/document_types.csv)."""
    cover = "".join(squeeze(line) for line in doc.lines[:COVER_LINES])
    titles = "".join(squeeze(t.title) for t in doc.tables)
    for kind, regex in document_types():
        if regex.search(cover) or regex.search(titles):
            return kind
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
