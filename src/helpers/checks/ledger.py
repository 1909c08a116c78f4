"""The ledger of findings: the catalogue of checks (maps/checks.csv), labels for messages, and how a
failed identity becomes a finding (tolerances, cause: printed so or lost in the extraction).

Tolerances. The tables print amounts to 0.01 万元, so two printings of one figure agree to within half a
cent (``HALF_CENT``) or they differ. A printed total may differ from the sum of its printed parts by
rounding, at most half a cent per part: such differences are kept as ``info`` findings, larger ones are
errors. A figure printed with fewer decimals (a narrative's 88.3, a performance table's 30.2) is compared
within half of its last digit.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from helpers.checks.records import Rows, is_missing
from helpers.config import MAPS_DIR, PACKAGE_DIR
from helpers.frames import records_frame
from helpers.ingest.layer import pages_of_lines

HALF_CENT = 0.005
FLOAT_NOISE = 1e-6
FINDING_COLUMNS = [
    "doc_id", "check", "family", "severity", "cause", "message", "expected", "actual", "difference",
    "tolerance", "refs", "lines", "pages",
]


@lru_cache(maxsize=1)
def check_catalogue() -> dict[str, dict[str, str]]:
    table = pd.read_csv(MAPS_DIR / "checks.csv", dtype=str, keep_default_na=False)
    return {row["check"]: row for row in table.to_dict("records")}


@lru_cache(maxsize=1)
def column_identities() -> list[tuple[str, tuple[str, ...], str]]:
    table = pd.read_csv(MAPS_DIR / "column_identities.csv", dtype=str, keep_default_na=False)
    return [(r.whole, tuple(r.parts.split()), r.group) for r in table.itertuples()]


@lru_cache(maxsize=1)
def table_scopes() -> dict[str, str]:
    table = pd.read_csv(MAPS_DIR / "table_scopes.csv", dtype=str)
    return dict(zip(table["table_kind"], table["scope"], strict=True))


@lru_cache(maxsize=1)
def table_coverage() -> dict[str, tuple[str, str]]:
    """Table kind → (period, purpose): current (this year's appropriations only) or all (with the carry-over they
    spend); basic, project or both ("") — maps/table_scopes.csv."""
    table = pd.read_csv(MAPS_DIR / "table_scopes.csv", dtype=str, keep_default_na=False)
    return {k: (p, u) for k, p, u in zip(table["table_kind"], table["period"], table["purpose"], strict=True)}


@lru_cache(maxsize=1)
def column_scopes() -> dict[str, str]:
    table = pd.read_csv(MAPS_DIR / "column_scopes.csv", dtype=str)
    return dict(zip(table["role"], table["scope"], strict=True))


@lru_cache(maxsize=1)
def table_labels() -> dict[str, str]:
    """Table kind → its usual Chinese title, for messages."""
    table = pd.read_csv(MAPS_DIR / "table_kinds.csv", dtype=str)
    return {k: d.split(" ")[0] for k, d in zip(table["kind"], table["description"], strict=True)}


@lru_cache(maxsize=1)
def role_labels() -> dict[str, str]:
    """Amount role → its Chinese column name, from the data dictionary."""
    table = pd.read_csv(PACKAGE_DIR / "data_dictionary.csv", dtype=str, keep_default_na=False)
    rows = table[(table["table"] == "budget_lines") & table["column"].str.endswith("_wan")]
    return {c[:-4]: (t or c[:-4]) for c, t in zip(rows["column"], rows["chinese_term"], strict=True)}


def label_of(kind: str) -> str:
    return table_labels().get(kind, kind)


def role_label(role: str) -> str:
    return role_labels().get(role, role)


@dataclass(frozen=True)
class Ref:
    """One side of a check: a table (or the narrative) and the lines the figure stands on."""

    kind: str
    lines: tuple[int, ...]

    def text(self, pages: tuple[int | None, ...] | None = None) -> str:
        """``kind:L12,L13``, with the pages first where the lines have pages: ``kind:p.3 L12,L13``."""
        if not self.lines:
            return self.kind
        shown = ",".join(f"L{n}" for n in self.lines[:8]) + ("…" if len(self.lines) > 8 else "")
        on = pages_of_lines(pages, self.lines)
        return f"{self.kind}:{'p.' + ','.join(map(str, on)) + ' ' if on else ''}{shown}"



@dataclass
class Ledger:
    """The findings of one document, and what tells an extraction loss from a printed error."""

    doc_id: str
    unparsed_lines: set[int] = field(default_factory=set)
    page_breaks: dict[str, list[int]] = field(default_factory=dict)  # table kind → lines of repeated titles
    empty_pages: dict[str, list[int]] = field(default_factory=dict)
    pages: tuple[int | None, ...] | None = None  # page of each line of the text layer
    rows: list[dict] = field(default_factory=list)
    checked: int = 0  # identities checked (held or not): a whole against its parts, a figure against its reprint

    def add(self, check: str, message: str, expected: float | None, actual: float | None,
            refs: Iterable[Ref], tolerance: float = HALF_CENT, severity: str | None = None,
            cause: str | None = None) -> None:
        refs = list(refs)
        entry = check_catalogue()[check]
        cause = cause or self.cause_of(refs, expected, actual)
        severity = severity or entry["severity"]
        if cause == "extraction":
            message += f" — likely an extraction loss ({self.extraction_evidence(refs)})"
        elif severity != "info":  # an info (rounding, a split) is no error of the document
            message += " — as printed in the document"
        difference = None if expected is None or actual is None else round(actual - expected, 6)
        lines = sorted({n for r in refs for n in r.lines})
        self.rows.append({
            "doc_id": self.doc_id, "check": check, "family": entry["family"],
            "severity": severity, "cause": cause, "message": message,
            "expected": expected, "actual": actual, "difference": difference, "tolerance": tolerance,
            "refs": " vs ".join(r.text(self.pages) for r in refs), "lines": " ".join(str(n) for n in lines),
            "pages": " ".join(str(n) for n in pages_of_lines(self.pages, lines)),
        })

    def cause_of(self, refs: list[Ref], expected: float | None, actual: float | None) -> str:
        """'extraction' when the lines involved lost cells or span a page break that may have
        lost rows (the parts fall short of the total), else 'document'. A PDF's own text layer keeps every row of
        every page: there, only cells left unparsed point to the extraction."""
        if any(n in self.unparsed_lines for r in refs for n in r.lines):
            return "extraction"
        if self.pages is not None:
            return "document"
        short = expected is not None and actual is not None and actual < expected
        for r in refs:
            if not r.lines:
                continue
            low, high = min(r.lines), max(r.lines)
            if any(low <= n <= high for n in self.empty_pages.get(r.kind, [])):
                return "extraction"
            # Parts that fall short of a total above them: rows lost at a later page break.
            if short and any(n >= low for n in self.page_breaks.get(r.kind, []) + self.empty_pages.get(r.kind, [])):
                return "extraction"
        return "document"

    def extraction_evidence(self, refs: list[Ref]) -> str:
        for r in refs:
            if any(n in self.unparsed_lines for n in r.lines):
                return "cells on these lines could not be parsed"
            if not r.lines:
                continue
            breaks = sorted(n for n in self.page_breaks.get(r.kind, []) + self.empty_pages.get(r.kind, [])
                            if n >= min(r.lines))
            if breaks:
                return f"the table breaks across a page at line {breaks[0]}, rows may be lost there"
        return "see the source lines"

    def frame(self) -> pd.DataFrame:
        """The findings, each (check, refs, message) once: what ``drop_duplicates`` keeps, without
        its cost on a frame that seldom has a duplicate."""
        frame = records_frame(self.rows, FINDING_COLUMNS)
        keep: list[int] = []
        seen: set[tuple[str, str, str]] = set()
        for i, row in enumerate(self.rows):
            key = (row["check"], row["refs"], row["message"])
            if key not in seen:
                seen.add(key)
                keep.append(i)
        return frame if len(keep) == len(self.rows) else frame.take(keep).reset_index(drop=True)


def fmt_wan(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def differs(a: float, b: float, tolerance: float = HALF_CENT) -> bool:
    return abs(a - b) > tolerance + FLOAT_NOISE


def present_roles(rows: Rows) -> list[str]:
    """The amount roles (columns ``<role>_wan``) some record fills, in column order."""
    return [c[:-4] for c in rows.amount_columns if any(not is_missing(r[c]) for r in rows.records)]


def sum_finding(ledger: Ledger, check: str, what: str | Callable[[], str], whole: float, parts: list[float],
                refs: list[Ref] | Callable[[], list[Ref]]) -> None:
    """A printed whole against the sum of its printed parts, with the rounding allowance. ``what`` and ``refs`` may
    be given as functions, called only when the sum fails (most hold: a document checks hundreds)."""
    ledger.checked += 1
    total = round(sum(parts), 6)
    if not differs(whole, total):
        return
    what = what() if callable(what) else what
    refs = refs() if callable(refs) else refs
    allowance = HALF_CENT * max(len(parts), 1)
    if not differs(whole, total, allowance) and len(parts) > 1:
        ledger.add(check, f"{what}: {fmt_wan(whole)} printed, its {len(parts)} parts sum to {fmt_wan(total)} "
                   f"(within rounding of {len(parts)} printed amounts)", whole, total, refs, allowance,
                   severity="info", cause="document")
        return
    parts_text = "its one part is" if len(parts) == 1 else f"its {len(parts)} parts sum to"
    ledger.add(check, f"{what}: {fmt_wan(whole)} printed, {parts_text} {fmt_wan(total)}", whole, total, refs)
