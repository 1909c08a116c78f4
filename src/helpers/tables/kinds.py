"""A table's kind from what it holds, for a table whose title names no kind (lost, split, inside the grid, or a
wording no map knows): two-sided 收入/支出 totals, “三公” columns, indicator levels, project names, economic or
function codes. The rules are data (maps/table_content_kinds.csv), tried in order; the first whose header and body
patterns both match decides, and the table records ``kind_source = content``.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.split import RawTable, squeeze

HEADER_ROWS = 4  # a table with no header rows: its first rows stand in for it


@lru_cache(maxsize=1)
def content_rules() -> list[tuple[str, re.Pattern | None, re.Pattern | None]]:
    rules = pd.read_csv(MAPS_DIR / "table_content_kinds.csv", dtype=str, keep_default_na=False)
    return [(r.kind, re.compile(r.header) if r.header else None, re.compile(r.body) if r.body else None)
            for r in rules.itertuples()]


def kind_from_content(table: RawTable) -> str | None:
    """The kind the table's header and rows show, or None."""
    header_rows = table.header or table.body[:HEADER_ROWS]
    header = " ".join(squeeze(c) for r in header_rows for c in r.cells if c)
    body = " ".join(squeeze(c) for r in table.body for c in r.cells if c)
    for kind, header_re, body_re in content_rules():
        if header_re is None and body_re is None:
            continue
        if (header_re is None or header_re.search(header)) and (body_re is None or body_re.search(body)):
            return kind
    return None


def classify_unknown_tables(tables: list[RawTable]) -> None:
    """Give every table without a known kind the kind its content shows."""
    for table in tables:
        if table.kind == "unknown" and table.rows:
            kind = kind_from_content(table)
            if kind:
                table.kind, table.kind_source = kind, "content"
