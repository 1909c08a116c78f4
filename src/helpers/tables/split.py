"""Format-only stage: split a document into narrative lines and tables.

Nothing here interprets a number. Every table keeps its title, unit, header rows and
every cell as text with its source line number, so later stages can trace each value.
What the PDF extraction did to the text is undone here where it is a matter of form:
markdown debris, repeated titles and headers at page breaks, a unit split over two
lines, rows left without a title after an empty table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.numbers import is_amount

DEBRIS_RE = re.compile(r"</?p>|\*\*|<br\s*/?>")
HEADING_MARK_RE = re.compile(r"^#+\s*")
# A numbered line is a table-of-contents entry or a section heading, never a table title.
NUMBERED_RE = re.compile(
    r"^(?:[-•·]\s*|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[.．、])"
)
PART_RE = re.compile(r"^第[一二三四五六七八九十]+部分")
SECTION_RE = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
YEAR_SUFFIX_RE = re.compile(r"[（(]\s*\d{4}\s*年度?\s*[)）]$")
YEAR_LINE_RE = re.compile(r"^[（(]\s*\d{4}\s*年度?\s*[)）]$")
META_RE = re.compile(
    r"^(?:部门名称|单位名称|部门（单位）|部门\(单位\)|部门|预算单位|编制单位|编制部门|金额单位|单位)\s*[：:]|^单位\s+万?元?$"
)
UNIT_RE = re.compile(r"单位\s*[：:]?\s*(万元|千元|亿元|元|万)\s*$")
# A meta line: META_RE, UNIT_RE or YEAR_LINE_RE matches it (one search instead of three, for every table row).
META_LINE_RE = re.compile("|".join(f"(?:{r.pattern})" for r in (META_RE, UNIT_RE, YEAR_LINE_RE)))
EMPTY_NOTE_RE = re.compile(r"空表|无数据|无内容|没有使用|无.{0,12}(安排|预算)的?支出|本表为空")
CROSS_REFERENCE_RE = re.compile(r"^(?:详见|参见|具体见|请见|见)")
NOTE_RE = re.compile(r"^[（(]?\s*(?:注|备注|说明|空表说明)\s*[：:]")
ATTACHMENT_RE = re.compile(r"^附件\d*[：:]?")
YEAR_PREFIX_RE = re.compile(r"^\d{4}年度?")
SENTENCE_PUNCT_RE = re.compile("[，。；]")
# A title ends with 表, maybe followed by a bracketed qualifier: …支出表（功能科目）, …情况表（按经济分类科目）.
TITLE_END_RE = re.compile(r"表(?:[（(][^（）()]{1,16}[)）])*$")
CODE_CELL_RE = re.compile(r"\d{3,}")
MAX_TITLE_CHARS = 50
TITLE_LOOKAHEAD = 8  # non-empty lines between a title and its first table row
# Marks a column-number row may carry besides its numbers: ** 1 2 3 …, 栏次 1 2 3, 甲 乙 1 2.
COLUMN_NUMBER_MARKS = {"*", "**", "栏次", "行次", "栏", "行", "甲", "乙", "丙", "丁", "—", "-"}


@dataclass
class Row:
    line: int
    cells: list[str]

    def nonempty(self) -> list[tuple[int, str]]:
        return [(i, c) for i, c in enumerate(self.cells) if c]

    def text(self) -> str:
        return " ".join(c for c in self.cells if c)


@dataclass
class RawTable:
    kind: str
    title: str
    title_line: int
    unit: str | None = None
    unit_line: int | None = None
    meta: list[tuple[int, str]] = field(default_factory=list)
    header: list[Row] = field(default_factory=list)
    body: list[Row] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    page_lines: list[int] = field(default_factory=list)  # title lines of repeated pages
    page_titles: list[tuple[int, str]] = field(default_factory=list)  # (line, title) of each repeated title
    empty_pages: list[int] = field(default_factory=list)  # repeated pages with no rows
    title_inferred: bool = False
    page_rows: int = 0  # body rows seen since the last (repeated) title
    label: str = ""  # the table's printed label (表3, 公开03表, 预算表3) when the title has one
    kind_source: str = "title"  # how the kind was found: title, content (the rows), contents (the table of contents)
    last_page: int | None = None  # PDF page of the last row added

    @property
    def declared_empty(self) -> bool:
        return any(EMPTY_NOTE_RE.search(text) for _, text in self.notes)

    @property
    def rows(self) -> list[Row]:
        return self.header + self.body


@dataclass
class RawDocument:
    lines: list[str]
    tables: list[RawTable]
    narrative: list[tuple[int, str]]
    toc: list[tuple[int, str, str]]  # (line, title, kind)


def clean_cell(text: str) -> str:
    """Strip converter debris and surrounding space from one cell."""
    if "<" in text or "*" in text:  # debris is rare: most cells need no regex
        text = DEBRIS_RE.sub("", text)
    return text.strip().strip("\u3000").strip()


def clean_line(text: str) -> str:
    return HEADING_MARK_RE.sub("", DEBRIS_RE.sub("", text)).strip()


@lru_cache(maxsize=1 << 12)
def squeeze(text: str) -> str:
    """Text without any whitespace, for matching titles and labels."""
    # str.split() cuts at exactly the characters r"\s" matches, and is several times faster. Cached: a document asks
    # it about 6,000 times, nearly all of them of a cell seen before (the same amounts and labels recur); 4,096
    # entries keep 99.5% of the hits of an unbounded cache on 200 synthetic documents, and a worker's memory flat
    # (65,536 grew it by 11 MB over 3,000 documents).
    return "".join(text.split())


@lru_cache(maxsize=1)
def table_kinds() -> pd.DataFrame:
    kinds = pd.read_csv(MAPS_DIR / "table_kinds.csv", dtype=str)
    kinds["regex"] = kinds["pattern"].map(re.compile)
    return kinds


@lru_cache(maxsize=1)
def title_labels() -> dict[str, re.Pattern]:
    """The label patterns of maps/table_kinds' companion maps/title_labels.csv, one regex per position."""
    labels = pd.read_csv(MAPS_DIR / "title_labels.csv", dtype=str)
    joined = {where: "|".join(f"(?:{p})" for p in group["pattern"]) for where, group in labels.groupby("where")}
    return {
        "alone": re.compile(f"^(?:{joined['alone']})$"),
        "prefix": re.compile(f"^(?:{joined['prefix']})"),
        "suffix": re.compile(f"(?:{joined['suffix']})$"),
    }


def is_label(text: str) -> bool:
    """A line (or lone cell) that is only a table's label: 表1, 公开01表, 表十二."""
    return bool(title_labels()["alone"].match(squeeze(text)))


def strip_label(text: str) -> tuple[str, str]:
    """A title without the label printed before or after it, and that label."""
    flat = squeeze(text)
    labels = title_labels()
    for where in ("prefix", "suffix"):
        found = labels[where].search(flat)
        if found:
            return flat[: found.start()] + flat[found.end():], found.group(0)
    return flat, ""


@lru_cache(maxsize=1)
def _kind_patterns() -> list[tuple[str, re.Pattern]]:
    """(kind, title regex) of maps/table_kinds.csv as plain tuples: read for every line that may be
    a title, where indexing the frame would cost more than the matching."""
    kinds = table_kinds()
    return list(zip(kinds["kind"], kinds["regex"], strict=False))


def normalise_title(title: str) -> str:
    """Title without spaces, label, year prefix, year suffix and attachment marks."""
    text, _ = strip_label(title)
    text = YEAR_SUFFIX_RE.sub("", text)
    text = ATTACHMENT_RE.sub("", text)
    text = YEAR_PREFIX_RE.sub("", text)
    return text


def kind_of_title(title: str) -> str | None:
    """The table kind a title names, from maps/table_kinds.csv (first match wins)."""
    text = normalise_title(title)
    for kind, regex in _kind_patterns():
        if regex.search(text):
            return kind
    return None


def split_cells(raw: str) -> list[str]:
    return list(_split_cells(raw))


@lru_cache(maxsize=8192)
def _split_cells(raw: str) -> tuple[str, ...]:
    # Cached: finding titles, telling table rows and reading them split each line up to
    # three times. A tuple, so that no caller can change the cached cells.
    cells = [clean_cell(c) for c in raw.split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def _title_text(raw: str) -> str | None:
    """The title a line could be: one non-empty cell ending with 表 (plus a year)."""
    if "表" not in raw:  # every title ends with 表, and cleaning a line adds no character: most lines stop here
        return None
    cells = [c for c in split_cells(raw) if c] if "\t" in raw else [clean_line(raw)]
    if len(cells) != 1 or "表" not in cells[0]:
        return None
    text = cells[0]
    if PART_RE.match(squeeze(text)):
        return None  # 第二部分 2026年度部门预算表: a part of the document, not a table
    if CROSS_REFERENCE_RE.match(squeeze(text)):
        return None  # 详见单位的项目绩效目标表: a pointer to a table printed elsewhere, not an empty one
    flat = YEAR_SUFFIX_RE.sub("", strip_label(text)[0])
    if not TITLE_END_RE.search(flat) or len(flat) > MAX_TITLE_CHARS or SENTENCE_PUNCT_RE.search(flat):
        return None
    if "附件" in flat and kind_of_title(text) is None:
        return None
    return text


def _is_table_row(raw: str) -> bool:
    return "\t" in raw and any(split_cells(raw))


def _meta_text(row_cells: list[str]) -> bool:
    """A row whose non-empty cells are all meta (unit, unit name, year) lines."""
    return _meta_flat(_flat(row_cells))


def _flat(cells: list[str]) -> tuple[str, ...]:
    """The non-empty cells of a row, squeezed: what a row is matched by, computed once per row."""
    return tuple(squeeze(c) for c in cells if c)


def _meta_flat(flat: tuple[str, ...]) -> bool:
    if not flat:
        return False
    named = len(flat) == 2 and META_RE.search(flat[0])  # 单位名称： | its name
    return all(META_LINE_RE.search(c) or (i > 0 and named) for i, c in enumerate(flat))


def find_titles(lines: list[str]) -> tuple[list[int], list[tuple[int, str, str]], set[int]]:
    """Indices of body table titles, the table-of-contents entries, and the indices of numbered labels.

    A numbered title-like line (一、收支预算总表) is a contents entry, unless the next line is a title of the same
    kind: then it is that table's label (福建 prints 一、收支预算总表 / 2026年度收支预算总表 above each table). A title
    directly followed by another title is an entry of a list of the tables (浙江 lists 表1.…表 … 表11.…表 before
    printing them)."""
    titles: list[int] = []
    toc: list[tuple[int, str, str]] = []
    labels: set[int] = set()
    texts = [_title_text(raw) for raw in lines]  # the helpers below look ahead: each line is read once
    for idx, text in enumerate(texts):
        if text is None:
            continue
        kind = kind_of_title(text)
        if NUMBERED_RE.match(text):
            if kind and _next_title_kind(lines, texts, idx) != kind:
                toc.append((idx + 1, text, kind))
            elif kind:
                labels.add(idx)  # 十、一般公共预算“三公”经费支出预算表 above its dated title: the table's label
            continue
        if kind and _next_line_is_title(lines, texts, idx):
            toc.append((idx + 1, text, kind))
        elif kind or _leads_to_rows(lines, texts, idx):
            titles.append(idx)
    return titles, toc, labels


def _next_line_is_title(lines: list[str], texts: list[str | None], idx: int) -> bool:
    nxt = next((at for at in range(idx + 1, len(lines)) if lines[at].strip()), None)
    return nxt is not None and texts[nxt] is not None


def _next_title_kind(lines: list[str], texts: list[str | None], idx: int) -> str | None:
    """The kind of the title on the next non-empty line, if that line is a title."""
    for at in range(idx + 1, min(idx + 3, len(lines))):
        if lines[at].strip():
            text = texts[at]
            return kind_of_title(text) if text is not None and not NUMBERED_RE.match(text) else None
    return None


def _leads_to_rows(lines: list[str], texts: list[str | None], idx: int) -> bool:
    seen = 0
    for at in range(idx + 1, len(lines)):
        raw = lines[at]
        if not raw.strip():
            continue
        if _is_table_row(raw):
            return not _meta_text(split_cells(raw))
        if texts[at] is not None:
            return False
        seen += 1
        if seen > TITLE_LOOKAHEAD:
            return False
    return False


def extract_document(text: str, pages: tuple[int | None, ...] | None = None) -> RawDocument:
    """Split a document's text layer into tables and narrative lines (``pages``: the page of each line, if known)."""
    lines = text.split("\n")
    title_idx, toc, label_idx = find_titles(lines)
    tables: list[RawTable] = []
    narrative: list[tuple[int, str]] = []
    starts = set(title_idx)
    header_keys: dict[int, set[tuple[str, ...]]] = {}  # id of each table → its header rows, as _flat keys
    current: RawTable | None = None
    pending_unit: tuple[int, str] | None = None  # "单位：万" waiting for "元"
    label = ""  # a label line (表3) waiting for its title
    for idx, raw in enumerate(lines):
        number = idx + 1
        page = pages[idx] if pages is not None else None
        if idx in starts:
            title = _title_text(raw) or raw.strip()
            kind = kind_of_title(title) or "unknown"
            _close_page(current)
            if current is not None and current.kind == kind and kind != "unknown" and _same_table(current):
                current.page_lines.append(number)  # a page break repeats the title
                current.page_titles.append((number, title))
                current.page_rows = 0
            else:
                current = RawTable(kind=kind, title=title, title_line=number, label=label or strip_label(title)[1],
                                   kind_source="title" if kind != "unknown" else "none")
                tables.append(current)
            current.last_page = page
            label = ""
            continue
        if not raw.strip():
            continue
        if idx in label_idx:
            label = strip_numbering_label(raw)
            continue
        cells = split_cells(raw) if _is_table_row(raw) else None
        lone = [c for c in cells if c] if cells is not None else [clean_line(raw)]
        if len(lone) == 1 and is_label(lone[0]):
            label = squeeze(lone[0])  # 表3 / 公开03表 above (or as the first row of) its table
            continue
        if current is None:
            narrative.append((number, clean_line(raw)))
            continue
        if cells is not None:
            flat = _flat(lone)
            if _meta_flat(flat):
                _add_meta(current, number, " ".join(lone))
                continue
            if _column_numbers_flat(flat):
                current.meta.append((number, " ".join(lone)))  # ** 1 2 3 …: no data
                continue
            if current.declared_empty and not _is_header_like(cells):
                # Rows after a table closed by its "empty table" note lost their own title.
                current = _start_untitled(tables, number)
            broke = page is not None and current.last_page is not None and page != current.last_page
            if broke and current.body:
                _new_page(current, number)  # the table goes on over a page break
            current.last_page = page
            if broke and _continues_last_cell(current, cells):
                continue  # the end of a cell the page break cut off, joined to it
            _add_row(current, Row(number, cells), flat, header_keys.setdefault(id(current), set()))
            continue
        text = clean_line(raw)
        if pending_unit and text == "元":
            current.unit, current.unit_line = "万元", pending_unit[0]
            pending_unit = None
            continue
        pending_unit = None
        flat = squeeze(text)
        if YEAR_LINE_RE.match(flat):
            current.meta.append((number, text))
        elif META_RE.search(flat) or UNIT_RE.search(flat):
            _add_meta(current, number, text)
            if flat.endswith("单位：万") or flat.endswith("单位:万") or flat.endswith("单位万"):
                pending_unit = (number, text)
        elif SECTION_RE.match(flat) and not NOTE_RE.match(text):
            _close_page(current)
            current = None
            narrative.append((number, text))
        else:
            current.notes.append((number, text))
    _close_page(current)
    _infer_untitled_kinds(tables, toc)
    return RawDocument(lines=lines, tables=tables, narrative=narrative, toc=toc)


def strip_numbering_label(raw: str) -> str:
    """A numbered label line (十、一般公共预算“三公”经费支出预算表) as the table's label: its number."""
    found = NUMBERED_RE.match(squeeze(clean_line(raw)))
    return found.group(0).rstrip("、.．") if found else ""


def is_column_numbers(cells: list[str]) -> bool:
    """A column-number row under a header (** 1 2 3 …, 栏次 1 2 3): its numbers name columns, they are no amounts."""
    return _column_numbers_flat(_flat(cells))


def _column_numbers_flat(flat: tuple[str, ...]) -> bool:
    numbers = [c for c in flat if c not in COLUMN_NUMBER_MARKS]
    if len(numbers) < 3 or not all(c.isdigit() for c in numbers):
        return False
    values = [int(c) for c in numbers]
    return values == list(range(values[0], values[0] + len(values))) and values[0] in (0, 1)


WRAP_TAIL_CHARS = 12  # the tail of a cell wrapped onto the next page is a few characters (…研究 / 中心)


def _continues_last_cell(table: RawTable, cells: list[str]) -> bool:
    """A row at the top of a new page holding only a short text under the previous row's label: the rest of that
    label, which the page break cut off. Joins it to that label (the previous row keeps its line)."""
    filled = [(i, c) for i, c in enumerate(cells) if c]
    if not table.body or table.page_rows or len(filled) != 1:
        return False
    col, text = filled[0]
    last = table.body[-1]
    above = last.cells[col] if col < len(last.cells) else ""
    if (is_amount(text) or CODE_CELL_RE.fullmatch(squeeze(text)) or len(squeeze(text)) > WRAP_TAIL_CHARS
            or not above or SENTENCE_PUNCT_RE.search(above) or not any(is_amount(c) for c in last.cells[col + 1:])):
        return False
    last.cells[col] = above + text
    return True


def _new_page(table: RawTable, line: int) -> None:
    """A page break inside a table, at the first line of the new page (rows may be lost at a break)."""
    _close_page(table)
    if not table.page_lines or table.page_lines[-1] != line:
        table.page_lines.append(line)
    table.page_rows = 0


def _same_table(table: RawTable) -> bool:
    """A repeated title continues the table unless that table was closed by a note."""
    return not table.declared_empty


def _add_meta(table: RawTable, number: int, text: str) -> None:
    table.meta.append((number, text))
    match = UNIT_RE.search(squeeze(text))
    if match and match.group(1) != "万":
        table.unit, table.unit_line = match.group(1), number


def _is_header_like(cells: list[str]) -> bool:
    return not any(is_amount(c) or CODE_CELL_RE.fullmatch(squeeze(c)) for c in cells if c)


def _close_page(table: RawTable | None) -> None:
    """Remember a repeated page that brought no rows: rows may be lost at that break."""
    if (table is not None and table.page_lines and table.page_rows == 0
            and table.page_lines[-1] not in table.empty_pages):
        table.empty_pages.append(table.page_lines[-1])


def _add_row(table: RawTable, row: Row, flat: tuple[str, ...], known: set[tuple[str, ...]]) -> None:
    """Header rows come before the first row holding an amount or a code; a header row printed again (a page
    break repeats the header) is not a body row. ``flat``: the row's _flat cells; ``known``: those of the table's
    header rows."""
    if flat in known:
        if table.body and table.page_rows:  # repeated mid-table: the page broke before it
            _new_page(table, row.line)
        return
    if not table.body and _is_header_like(row.cells) and not set(flat) <= {"合计", "总计"}:
        table.header.append(row)
        known.add(flat)
        return
    table.body.append(row)
    table.page_rows += 1


def _start_untitled(tables: list[RawTable], number: int) -> RawTable:
    table = RawTable(kind="unknown", title="", title_line=number, title_inferred=True)
    tables.append(table)
    return table


def _infer_untitled_kinds(tables: list[RawTable], toc: list[tuple[int, str, str]]) -> None:
    """Give a table that lost its title the one kind the table of contents lists between
    its neighbours and the body does not otherwise contain."""
    toc_kinds = [kind for _, _, kind in toc]
    found = {t.kind for t in tables}
    for pos, table in enumerate(tables):
        if not table.title_inferred:
            continue
        before = tables[pos - 1].kind if pos > 0 else None
        after = tables[pos + 1].kind if pos + 1 < len(tables) else None
        if before in toc_kinds and after in toc_kinds:
            gap = toc_kinds[toc_kinds.index(before) + 1: toc_kinds.index(after)]
            missing = [k for k in gap if k not in found]
            if len(missing) == 1:
                table.kind, table.kind_source = missing[0], "contents"
                table.title = next(t for _, t, k in toc if k == missing[0])
                found.add(missing[0])
