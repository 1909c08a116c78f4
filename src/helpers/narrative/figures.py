"""Key figures stated in the 情况说明 narrative, each with the line it stands on (one row per figure).

The phrasing lives in ``maps/narrative_patterns.csv`` (columns ``figure``, ``pattern``, ``note``): one or
more regular expressions per figure. A pattern may use three macros, expanded before compiling:
``{NUM}`` an amount and its unit (named groups ``num`` and ``unit``), ``{COUNT}`` a bare integer, ``{GAP}``
up to 20 characters between the key word and the number with no digit, clause punctuation or word of
comparison. A pattern without a ``num`` group states a zero (``无机关运行经费`` → 0). For each figure, the
statement that comes first in the document wins.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.narrative.text import UNIT_FACTOR, evidence_text, join_paragraphs

PATTERNS_PATH = MAPS_DIR / "narrative_patterns.csv"
FIGURES: tuple[str, ...] = (
    "total_income",
    "total_expenditure",
    "basic_expenditure",
    "project_expenditure",
    "personnel_expenditure",
    "public_expenditure",
    "three_public_total",
    "three_public_abroad",
    "three_public_vehicle_purchase",
    "three_public_vehicle_operation",
    "three_public_reception",
    "operating_expenses",
    "procurement_total",
    "project_count",
)
COLUMNS = ["figure", "value_wan", "line", "evidence"]
_NO_GAP = r"比|较|增|减|升|降|占|上年|去年|执行|持平"
MACROS = {
    "{GAP}": r"(?:(?!" + _NO_GAP + r")[^\d。；;，,：:、%\n]){0,20}?",
    "{NUM}": (r"\s*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>亿元|万元|元)(?!\s*(?:以上|以下))"),
    "{COUNT}": r"\s*(?P<num>\d+)\s*",
}


@dataclass(frozen=True)
class NarrativePattern:
    figure: str
    regex: re.Pattern
    source: str  # the pattern as written in the CSV
    note: str
    order: int  # row order in the CSV


def expand_macros(pattern: str) -> str:
    for macro, regex in MACROS.items():
        pattern = pattern.replace(macro, regex)
    return pattern


def load_patterns(path: str | Path | None = None) -> tuple[NarrativePattern, ...]:
    """Read and compile a pattern table (default: ``maps/narrative_patterns.csv``).

    The default table is compiled once per process.
    """
    if path is None:
        return _load_default()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _load_default() -> tuple[NarrativePattern, ...]:
    return _load(PATTERNS_PATH)


def _load(path: Path) -> tuple[NarrativePattern, ...]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    patterns = []
    for order, row in enumerate(rows):
        figure = (row.get("figure") or "").strip()
        source = (row.get("pattern") or "").strip()
        if not figure and not source:
            continue
        if figure not in FIGURES:
            raise ValueError(f"{path.name} row {order + 2}: unknown figure {figure!r}")
        try:
            regex = re.compile(expand_macros(source))
        except re.error as exc:
            raise ValueError(f"{path.name} row {order + 2}: bad pattern {source!r}: {exc}") from exc
        patterns.append(
            NarrativePattern(figure, regex, source, (row.get("note") or "").strip(), order)
        )
    return tuple(patterns)


def _value(match: re.Match, figure: str) -> float | None:
    if "num" not in match.re.groupindex:
        return 0.0  # a pattern that states absence: 无机关运行经费
    num = match.group("num")
    if num is None:
        return None
    value = float(num.replace(",", ""))
    if figure == "project_count":
        return value
    unit = match.groupdict().get("unit")
    return value * UNIT_FACTOR.get(unit, 1.0)


def extract_narrative_figures(
    lines: Sequence[tuple[int, str]],
    patterns: Sequence[NarrativePattern] | None = None,
) -> pd.DataFrame:
    """Key figures stated in the narrative, one row per figure (first statement wins).

    ``lines``: (line_number, text) pairs of narrative text only. Returns columns
    ``figure``, ``value_wan`` (万元; the count for ``project_count``), ``line``
    (where the number stands) and ``evidence`` (the matched fragment, ≤ 80 chars),
    rows in the order of :data:`FIGURES`.
    """
    if patterns is None:
        patterns = load_patterns()
    paragraphs = join_paragraphs(lines)

    best: dict[str, tuple[tuple[int, int, int], dict]] = {}
    for pat in patterns:
        for p_index, para in enumerate(paragraphs):
            for match in pat.regex.finditer(para.text):
                value = _value(match, pat.figure)
                if value is None:
                    continue
                key = (p_index, match.start(), pat.order)
                if pat.figure in best and best[pat.figure][0] <= key:
                    break  # an earlier statement of this figure is already kept
                where = match.start("num") if "num" in pat.regex.groupindex else match.start()
                best[pat.figure] = (
                    key,
                    {
                        "figure": pat.figure,
                        "value_wan": round(value, 6),
                        "line": para.line_at(where),
                        "evidence": evidence_text(match.group(0)),
                    },
                )
                break  # later matches of this pattern in this paragraph come after

    rows = [best[f][1] for f in FIGURES if f in best]
    # Each column built with its dtype at once: cheaper than converting a frame of the rows.
    dtypes = {"figure": str, "value_wan": "float64", "line": "int64", "evidence": str}
    return pd.DataFrame({c: pd.Series([row[c] for row in rows], dtype=dtypes[c]) for c in COLUMNS})
