"""Evidence a reader can follow: where each side of a finding is printed (table, page, line), links to the source
document's pages, and a verdict on each key figure (ties out, or contested and why).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from helpers.config import MAPS_DIR

# How a finding's cause reads (the findings table's `cause`).
CAUSES = {"document": "原文如此 · printed so in the document", "extraction": "提取丢失 · likely lost in extraction"}
# Key figures of the verdict, in the order a reader checks them: (figure, English); the Chinese term is the one
# maps/key_figures.csv gives the figure.
KEY_FIGURES = [
    ("total_income", "total income"),
    ("total_expenditure", "total expenditure"),
    ("expenditure_total", "expenditure of the year"),
    ("basic_expenditure", "basic expenditure"),
    ("project_expenditure", "project expenditure"),
    ("personnel_expenditure", "personnel"),
    ("public_expenditure", "office costs"),
    ("three_public_total", "三公 total"),
    ("operating_expenses", "operating expenses"),
    ("procurement_total", "procurement"),
    ("project_count", "projects listed"),
    ("performance_project_count", "projects with targets"),
]
COUNT_FIGURES = {"project_count", "performance_project_count"}
# How a value was obtained (key_figures.basis), where it is not simply printed in a cell.
BASES = {"blank cell": "空白单元格 blank cell", "declared empty": "注明无数据 declared empty"}
# Printed figures agree when they are within half a cent (the documents print 0.01 万元) or, for a narrative figure
# printed with fewer decimals, within half of its last digit; the checks apply the same tolerances.
TIE_TOLERANCE_WAN = 0.005
NARRATIVE_ROUNDING_WAN = 0.05
_REF = re.compile(r"(?P<kind>\w+):(?:p\.(?P<pages>[\d,]+) )?(?P<lines>L\d+(?:,L\d+)*)")


@dataclass(frozen=True)
class Side:
    """One side of a finding: a table kind, the pages and the lines it is printed on."""
    kind: str
    pages: tuple[int, ...]
    lines: tuple[int, ...]


@cache
def table_names() -> dict[str, str]:
    """Table kind → its Chinese name (the first description of the kind in maps/table_kinds.csv)."""
    table = pd.read_csv(MAPS_DIR / "table_kinds.csv", dtype=str, keep_default_na=False)
    names: dict[str, str] = {"narrative": "情况说明", "toc": "目录", "indicator": "绩效指标"}
    for kind, description in zip(table["kind"], table["description"], strict=True):
        names.setdefault(kind, description.split(" (")[0].split(" / ")[0].strip() or kind)
    return names


@cache
def template_names() -> dict[str, str]:
    """Template family → the province its description names (maps/templates.csv: "上海: 财务收支预算总表, …")."""
    table = pd.read_csv(MAPS_DIR / "templates.csv", dtype=str, keep_default_na=False)
    names: dict[str, str] = {}
    for family, description in zip(table["family"], table["description"], strict=True):
        names.setdefault(family, description.split(":")[0].strip())
    return names


def table_name(kind: object) -> str:
    if kind is None or (isinstance(kind, float) and pd.isna(kind)) or kind is pd.NA or kind == "":
        return ""
    return table_names().get(str(kind), str(kind))


def parse_refs(refs: object) -> list[list[Side]]:
    """A finding's refs ("a:p.3 L12,L13 vs b:L40") as its sides, each a list of places."""
    if not isinstance(refs, str) or not refs:
        return []
    sides = []
    for part in refs.split(" vs "):
        places = [Side(m["kind"], tuple(int(p) for p in (m["pages"] or "").split(",") if p),
                       tuple(int(n) for n in m["lines"].replace("L", "").split(",")))
                  for m in _REF.finditer(part)]
        if places:
            sides.append(places)
    return sides


def cite(side: list[Side]) -> str:
    """"支出总表 p. 3, L12, L13" for one side of a finding."""
    out = []
    for place in side:
        pages = f"p. {', '.join(map(str, place.pages))}, " if place.pages else ""
        out.append(f"{table_name(place.kind)} {pages}{', '.join(f'L{n}' for n in place.lines)}")
    return "; ".join(out)


def cite_line(page: object, line: object) -> str:
    """"p. 12, L340" (or "L340" for text input)."""
    if line is None or pd.isna(line):
        return ""
    return f"p. {int(page)}, L{int(line)}" if page is not None and not pd.isna(page) else f"L{int(line)}"


def relative_href(target: Path, out_dir: Path) -> str:
    """A link from a page in out_dir to a file, relative so that the folders can move together."""
    return quote(Path(os.path.relpath(target.resolve(), out_dir.resolve())).as_posix())


def source_files(meta: pd.Series) -> list[tuple[str, int, int]]:
    """(file, first page, last page) of each raw file of the document, from documents.source_pages."""
    out = []
    for part in str(meta.get("source_pages") or "").split(";"):
        name, _, pages = part.partition(":")
        first, _, last = pages.partition("-")
        if name:
            out.append((name, int(first) if first.isdigit() else 0, int(last or first) if (last or first).isdigit() else 0))
    if not out:
        out = [(name, 0, 0) for name in str(meta.get("source_file") or "").split(";") if name]
    return out


def source_href(meta: pd.Series, raw_dir: Path, out_dir: Path, page: int | None = None) -> str:
    """Link to the raw file holding a page (a PDF opens at that page: #page=N), or to the first raw file."""
    files = source_files(meta)
    if not files:
        return ""
    name, first, _ = files[0]
    if page:
        name, first, _ = next((f for f in files if f[1] <= page <= f[2]), files[0])
    href = relative_href(raw_dir / name, out_dir)
    if page and name.lower().endswith(".pdf"):
        return f"{href}#page={page - first + 1 if first else page}"
    return href


def contested_lines(findings: pd.DataFrame) -> dict[int, list[tuple[str, str]]]:
    """Line → (check, cause) of every error finding that names it."""
    out: dict[int, list[tuple[str, str]]] = {}
    errors = findings[findings["severity"] == "error"]
    for check, cause, lines in zip(errors["check"], errors["cause"], errors["lines"].fillna(""), strict=True):
        for line in str(lines).split():
            out.setdefault(int(line), []).append((str(check), str(cause)))
    return out


def _agree(a: float, b: float) -> bool:
    return abs(a - b) <= max(TIE_TOLERANCE_WAN, NARRATIVE_ROUNDING_WAN if round(b, 1) == b else 0)


@cache
def figure_terms() -> dict[str, str]:
    """Key figure → its Chinese term (maps/key_figures.csv)."""
    table = pd.read_csv(MAPS_DIR / "key_figures.csv", dtype=str, keep_default_na=False)
    return dict(zip(table["figure"], table["chinese_term"], strict=True))


Row = dict[str, object]  # one key_figures row, read column by column (a pandas row per figure cost 0.1 s a verdict)


def _rows(frame: pd.DataFrame) -> list[Row]:
    names = list(frame.columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*(frame[n] for n in names), strict=True)]


def _pair(found: list[Row]) -> tuple[Row | None, Row | None]:
    """The table's and the narrative's row of one figure, given values, in one scope of funds when both sides give
    one (a 一般公共预算 figure is not compared with an all-funds one)."""
    given = [r for r in found if not pd.isna(r["value_wan"])]
    table = [r for r in given if r["source"] == "table"]
    narrative = [r for r in given if r["source"] == "narrative"]
    if given and "scope" in given[0]:
        scopes = {r["scope"] for r in narrative}
        shared = [r["scope"] for r in table if r["scope"] in scopes]
        if shared:
            table = [r for r in table if r["scope"] == shared[0]]
            narrative = [r for r in narrative if r["scope"] == shared[0]]
    return (table[0] if table else None), (narrative[0] if narrative else None)


def verdict(key_figures: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """One row per key figure: the table's and the narrative's value, where each is printed, and whether it ties out
    (both agree and no error names its lines) or is contested (which checks, and whether printed so or lost)."""
    contested = contested_lines(findings)
    by_figure: dict[object, list[Row]] = {}
    for row in _rows(key_figures):
        by_figure.setdefault(row["figure"], []).append(row)
    rows = []
    for figure, en in KEY_FIGURES:
        table, narrative = _pair(by_figure.get(figure, []))
        tv = float(table["value_wan"]) if table else None  # type: ignore[arg-type]
        nv = float(narrative["value_wan"]) if narrative else None  # type: ignore[arg-type]
        lines = [r["line"] for r in (table, narrative) if r is not None]
        hits = sorted({h for line in lines if not pd.isna(line) for h in contested.get(int(line), [])})  # type: ignore[arg-type]
        if tv is None and nv is None:
            continue  # not given: the document's tables say so in the measures below
        if hits:
            causes = sorted({cause for _, cause in hits})
            status = "存疑 · contested: " + "; ".join(CAUSES.get(c, c) for c in causes)
            state = "contested"
        elif tv is not None and nv is not None and not _agree(tv, nv):
            status, state = "不一致 · differs (see findings)", "contested"
        elif tv is not None and nv is not None:
            status, state = "一致 · ties out (table = narrative)", "ties"
        else:
            status, state = ("仅表格 · table only" if nv is None else "仅情况说明 · narrative only"), "single"
        rows.append({
            "figure": f"{figure_terms().get(figure, figure)} · {en}", "table_wan": tv, "table_at": _where(table),
            "narrative_wan": nv, "narrative_at": _where(narrative), "status": status, "state": state,
            "checks": " ".join(sorted({check for check, _ in hits})), "count": figure in COUNT_FIGURES,
        })
    return pd.DataFrame(rows, columns=["figure", "table_wan", "table_at", "narrative_wan", "narrative_at", "status",
                                       "state", "checks", "count"])


def _where(row: Row | None) -> str:
    if row is None:
        return ""
    name = table_name(row["table_kind"]) if row["source"] == "table" else "情况说明"
    basis = BASES.get(str(row.get("basis", "")), "")
    return f"{name} {cite_line(row['page'], row['line'])}{f'（{basis}）' if basis else ''}".strip()


def findings_by_cause(findings: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(severity, cause) → number of findings, errors and warnings only."""
    shown = findings[findings["severity"].isin(["error", "warning"])]
    return {(s, c): int(n) for (s, c), n in shown.groupby(["severity", "cause"]).size().items()}


def findings_by_cause_per_document(findings: pd.DataFrame) -> dict[str, dict[tuple[str, str], int]]:
    """doc_id → findings_by_cause of its findings, in one grouping over every document's (the index's 200 groupings
    took a third of its time)."""
    shown = findings[findings["severity"].isin(["error", "warning"])]
    out: dict[str, dict[tuple[str, str], int]] = {}
    for (doc_id, s, c), n in shown.groupby(["doc_id", "severity", "cause"]).size().items():
        out.setdefault(str(doc_id), {})[(s, c)] = int(n)
    return out
