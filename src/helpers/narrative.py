"""Figures stated in the 情况说明 narrative, each with the line it stands on.

The narrative restates the tables' key numbers (收入总计, 基本支出, “三公”经费 ...)
and gives some that no table holds (机关运行经费, 政府采购, number of projects
with performance targets). :func:`extract_narrative_figures` finds them so that
they can be compared with the tables.

The phrasing lives in ``maps/narrative_patterns.csv`` (columns ``figure``,
``pattern``, ``note``): one or more regular expressions per figure, so that a new
province's wording is a new row, not new code. A pattern may use three macros,
expanded before compiling:

``{NUM}``
    an amount and its unit: ``5091.25 万元``, ``4,643.47万元``, ``3000元`` (named
    groups ``num`` and ``unit``; a value in 元 is divided by 10000, one in 亿元
    multiplied by 10000). ``50万元以上`` is refused.
``{COUNT}``
    a bare integer (named group ``num``), for ``project_count``.
``{GAP}``
    up to 20 characters between the key word and the number, with no digit, no
    clause punctuation (。；，：、%) and no word of comparison (比, 较, 增, 减,
    升, 降, 占, 上年, 去年, 执行, 持平): this is what keeps year-on-year changes
    (``预算数比上年减少1.30万元``), shares and previous-year values out.

A pattern without a ``num`` group states a zero (``无机关运行经费`` → 0).

Text handling: markdown debris is stripped (leading ``#``, ``- ``, every ``*``);
a line that does not end with a sentence end (。；：) continues on the next
non-empty line, so ``项目支出 4760.78`` / (blank) / ``万元`` is one number; a
markdown heading (``#`` line) stands alone. Each character keeps the number of
the line it came from, and ``line`` is the line where the number starts.

For each figure, the statement that comes first in the document wins (the
overall section precedes the general-budget and 三公 sections); among matches
at the same place, the earlier pattern row wins.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers.config import MAPS_DIR

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
EVIDENCE_MAX = 80

_NO_GAP = r"比|较|增|减|升|降|占|上年|去年|执行|持平"
MACROS = {
    "{GAP}": r"(?:(?!" + _NO_GAP + r")[^\d。；;，,：:、%\n]){0,20}?",
    "{NUM}": (r"\s*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>亿元|万元|元)(?!\s*(?:以上|以下))"),
    "{COUNT}": r"\s*(?P<num>\d+)\s*",
}

_SENTENCE_END = "。；：;:！？!?"
_TRAILING_CLOSERS = "”’\"'）)】」』"
_UNIT_FACTOR = {"元": 1e-4, "万元": 1.0, "亿元": 1e4, None: 1.0}


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


# --------------------------------------------------------------------------- text


def clean_line(text: str) -> str:
    """Strip markdown debris: leading ``#`` and ``- ``, every ``*``."""
    text = text.replace("*", "").strip()
    text = text.lstrip("#").strip()
    if text.startswith("- ") or text == "-":
        text = text[1:].strip()
    return text


@dataclass
class Paragraph:
    text: str
    starts: list[int]  # offset in text where each piece starts
    lines: list[int]  # line number of each piece

    def line_at(self, offset: int) -> int:
        return self.lines[bisect.bisect_right(self.starts, offset) - 1]


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_TRAILING_CLOSERS + " \t")
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def join_paragraphs(lines: Iterable[tuple[int, str]]) -> list[Paragraph]:
    """Join the lines of each paragraph, remembering which line each part came from."""
    paragraphs: list[Paragraph] = []
    text, starts, nums = "", [], []

    def flush() -> None:
        nonlocal text, starts, nums
        if text:
            paragraphs.append(Paragraph(text, starts, nums))
        text, starts, nums = "", [], []

    for number, raw in lines:
        is_heading = raw.lstrip().startswith("#")
        piece = clean_line(raw)
        if not piece:
            continue
        if is_heading:
            flush()
        starts.append(len(text))
        nums.append(int(number))
        text += piece
        if is_heading or _ends_sentence(piece):
            flush()
    flush()
    return paragraphs


# ----------------------------------------------------------------------- figures


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
    return value * _UNIT_FACTOR.get(unit, 1.0)


def _evidence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= EVIDENCE_MAX else text[: EVIDENCE_MAX - 1] + "…"


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
                        "evidence": _evidence(match.group(0)),
                    },
                )
                break  # later matches of this pattern in this paragraph come after

    rows = [best[f][1] for f in FIGURES if f in best]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"figure": str, "value_wan": float, "line": int, "evidence": str})
