"""“三公” tables → one record per figure printed (this year and the previous one).
"""
from __future__ import annotations

from helpers.tables.context import TableContext
from helpers.tables.layout import read_row
from helpers.tables.split import EMPTY_NOTE_RE


def parse_three_public(ctx: TableContext, layout) -> list[dict]:
    """“三公” figures (and Shanghai's 机关运行经费) of the table's single data row."""
    records = []
    prefix = "" if ctx.table.kind == "three_public" else "gov_fund_"
    if ctx.table.declared_empty and not ctx.table.body:
        # "此表无数据": the document states every 三公 figure is zero.
        line = next(line for line, text in ctx.table.notes if EMPTY_NOTE_RE.search(text))
        return [{"figure": f"{prefix}three_public_total", "value_wan": 0.0, "table_kind": ctx.table.kind,
                 "line": line, "declared_empty": True}]
    for row in ctx.table.body:
        parsed = read_row(row, layout)
        for col, text, reason in parsed.leftover:
            ctx.leave(row.line, col, text, reason)
        for period, values in (("", parsed.amounts), ("_prev_year", parsed.prev_amounts)):
            for role, value in values.items():
                records.append({"figure": f"{prefix}{role}{period}", "value_wan": ctx.wan(value),
                                "table_kind": ctx.table.kind, "line": row.line})
    return records
