"""“三公” tables → one record per figure printed, with its year (this one or the previous) and its funds' scope.

Tables come in two orientations:

- wide: the 三公 items are columns (因公出国 | 公务用车 … | 公务接待, with 会议费 and 培训费 in 江苏); rows are units,
  years or fund sources. The row that holds the document's figures is the 合计/总计 row, else the only row.
- long: the items are rows (福建 项目 | 预算数; 广东 表8 行政经费 / “三公”经费 / 其中：… by 合计 | 一般公共预算 |
  政府性基金预算 columns). Each amount column is a scope (合计 the table's own) or a year.

On the figures' row, a blank cell under an item the header has is that item's zero as printed (``blank``): these
templates print a zero as a blank cell. An item the table has no column or row for is not a record at all: it is
missing, never 0.
"""
from __future__ import annotations

from dataclasses import replace

from helpers.tables.context import TOTAL_RE, TableContext
from helpers.tables.layout import Layout, read_row, role_of_path, strip_numbering
from helpers.tables.numbers import parse_amount
from helpers.tables.split import EMPTY_NOTE_RE

# The figures a 三公 table prints, by their header role.
FIGURE_ROLES = {
    "three_public_total", "three_public_abroad", "three_public_vehicle", "three_public_vehicle_purchase",
    "three_public_vehicle_operation", "three_public_reception", "meeting_expenses", "training_expenses",
    "admin_expenses", "operating_expenses",
}
# A generic amount column of a wide 三公 table is its “三公” total (重庆: 合 计 heads the table).
WIDE_ALIASES = {"total": "three_public_total"}
# Amount columns of a long table and the scope each is: the table's own, or the fund source it names.
COLUMN_SCOPES = {"total": None, "fiscal_total": "fiscal", "general_budget": "general", "gov_fund": "gov_fund",
                 "state_capital": "state_capital", "current_year": None}


def parse_three_public(ctx: TableContext, layout: Layout) -> list[dict]:
    """Every 三公 figure the table prints; ``total_row`` marks the records that are the document's figures."""
    prefix = "" if ctx.table.kind == "three_public" else "gov_fund_"
    roles = {c: WIDE_ALIASES.get(r, r) for c, r in layout.roles.items()}
    if ctx.table.declared_empty and not ctx.table.body:
        # "此表无数据": the document states every 三公 figure its header names is zero.
        line = next(line for line, text in ctx.table.notes if EMPTY_NOTE_RE.search(text))
        named = dict.fromkeys(r for c, r in sorted(roles.items()) if r in FIGURE_ROLES and c not in layout.period)
        return [_record(ctx, f"{prefix}{role}", 0.0, line, ctx.scope, declared_empty=True)
                for role in named or ["three_public_total"]]
    if len({r for r in roles.values() if r in FIGURE_ROLES}) >= 2:
        return _wide(ctx, replace(layout, roles=roles), prefix)
    return _long(ctx, layout, prefix)


def _record(ctx: TableContext, figure: str, value: float, line: int, scope: str, **flags) -> dict:
    return {"figure": figure, "value_wan": value, "table_kind": ctx.table.kind, "line": line, "scope": scope,
            "total_row": flags.get("total_row", True), "blank": flags.get("blank", False),
            "declared_empty": flags.get("declared_empty", False)}


def _wide(ctx: TableContext, layout: Layout, prefix: str) -> list[dict]:
    rows = [(row, read_row(row, layout)) for row in ctx.table.body]
    data = [(row, parsed) for row, parsed in rows if parsed.amounts or parsed.prev_amounts]
    totals = [(row, parsed) for row, parsed in data if TOTAL_RE.match(parsed.name)]
    figures_row = totals[0][0] if totals else (data[0][0] if len(data) == 1 else None)
    records = []
    for row, parsed in rows:
        for col, text, reason in parsed.leftover:
            ctx.leave(row.line, col, text, reason)
        is_figures = row is figures_row
        for period, values in (("", parsed.amounts), ("_prev_year", parsed.prev_amounts)):
            for role, value in values.items():
                records.append(_record(ctx, f"{prefix}{role}{period}", ctx.wan(value), row.line, ctx.scope,
                                       total_row=is_figures))
        if is_figures:
            printed = {r["figure"] for r in records if r["line"] == row.line}
            for col, role in layout.roles.items():
                period = "_prev_year" if layout.period.get(col) == "prev" else ""
                figure = f"{prefix}{role}{period}"
                cell = row.cells[col] if col < len(row.cells) else ""
                if role in FIGURE_ROLES and figure not in printed and not cell.strip():
                    records.append(_record(ctx, figure, 0.0, row.line, ctx.scope, blank=True))
                    printed.add(figure)
    return records


def _long(ctx: TableContext, layout: Layout, prefix: str) -> list[dict]:
    columns = {c: r for c, r in layout.roles.items() if r in COLUMN_SCOPES}
    records: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for row in ctx.table.body:
        parsed = read_row(row, layout)
        label = strip_numbering(parsed.labels[-1][1]) if parsed.labels else ""
        role = role_of_path([label], "three_public")
        role = WIDE_ALIASES.get(role, role)
        for col, text, reason in parsed.leftover:
            ctx.leave(row.line, col, text, reason)
        if role not in FIGURE_ROLES:
            for value in [*parsed.amounts.values(), *parsed.prev_amounts.values()]:
                ctx.leave(row.line, None, str(value), f"row “{label}” of a 三公 table names no 三公 item")
            continue
        for col, column_role in sorted(columns.items()):
            scope = COLUMN_SCOPES[column_role] or ctx.scope
            period = "_prev_year" if layout.period.get(col) == "prev" else ""
            cell = row.cells[col] if col < len(row.cells) else ""
            figure = f"{prefix}{role}{period}"
            if (figure, scope) in seen:
                continue
            try:
                value = parse_amount(cell)
            except ValueError:
                continue  # kept in unparsed by read_row
            seen.add((figure, scope))
            if value is None:
                records.append(_record(ctx, figure, 0.0, row.line, scope, blank=True))
            else:
                records.append(_record(ctx, figure, ctx.wan(value), row.line, scope))
    return records

