"""Input that would count figures twice: a table printed twice in one document (a document pasted twice, a table
copied again after itself) and two raw files with the same content. Each is one problem, not a silent doubling of
every sum built on it.
"""
from __future__ import annotations

from collections.abc import Iterable

from helpers.tables.split import RawDocument, RawTable, squeeze

MIN_REPEATED_ROWS = 2  # a one-row table (a lone total) may well be printed twice on purpose


def _cells(rows) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(squeeze(c) for c in r.cells) for r in rows)


def repeated_tables(doc: RawDocument) -> list[str]:
    """One line for the tables that repeat an earlier table of the same title cell for cell, and one per table whose
    second half repeats its first (the copy merged into it as if after a page break).

    Cells are compared squeezed (whitespace aside), and squeezed only where a repeat is possible: a table's halves
    when their first rows agree, two tables' bodies when their kind, title and length do."""
    problems = []
    same_shape: dict[tuple, list[RawTable]] = {}
    bodies: dict[int, tuple] = {}

    def body_of(table: RawTable) -> tuple:
        if id(table) not in bodies:
            bodies[id(table)] = _cells(table.body)
        return bodies[id(table)]

    repeats: list[str] = []
    for table in doc.tables:
        rows = table.body
        if len(rows) < MIN_REPEATED_ROWS:
            continue
        half = len(rows) // 2
        if (len(rows) % 2 == 0 and half >= MIN_REPEATED_ROWS and _cells(rows[:1]) == _cells(rows[half:half + 1])
                and body_of(table)[:half] == body_of(table)[half:]):
            problems.append(f"{_name(table)}: its rows from line {rows[half].line} repeat lines "
                            f"{rows[0].line}–{rows[half - 1].line} cell for cell (pasted twice?): "
                            "its figures are counted twice")
        # Two tables of different titles may print the same rows (支出表 and 一般公共预算支出表 when all money is
        # general budget): only the same table again is a repeat.
        earlier_tables = same_shape.setdefault((table.kind, squeeze(table.title), len(rows)), [])
        earlier = next((e for e in earlier_tables if body_of(e) == body_of(table)), None)
        if earlier is None:
            earlier_tables.append(table)
        else:
            repeats.append(f"{_name(table)} repeats the one of line {earlier.title_line}")
    if repeats:
        shown = "; ".join(repeats[:3]) + (f"; … {len(repeats) - 3} more" if len(repeats) > 3 else "")
        problems.append(f"{len(repeats)} table(s) repeat an earlier one of the same title row for row (pasted twice?): {shown}; "
                        "their figures are counted twice")
    return problems


def _name(table: RawTable) -> str:
    return f"table '{table.title or table.kind}' (line {table.title_line})"


def same_content(documents: Iterable[tuple[str, str]]) -> dict[str, str]:
    """doc_id → a one-line problem for each document whose sha256 another document shares: (doc_id, sha256) pairs."""
    by_digest: dict[str, list[str]] = {}
    for doc_id, digest in documents:
        if digest:
            by_digest.setdefault(digest, []).append(doc_id)
    problems = {}
    for digest, ids in by_digest.items():
        for doc_id in ids if len(ids) > 1 else ():
            others = ", ".join(d for d in ids if d != doc_id)
            problems[doc_id] = (f"same content as {others} (sha256 {digest[:12]}…): one document under two names "
                                "counts twice in every comparison")
    return problems
