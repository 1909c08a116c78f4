"""Column roles from header rows, and the reading of one body row.

Header rows of PDF-extracted tables are split, shifted and merged; the role of an amount
column is found from the labels above it (deepest first, parents as context) with the
rules of maps/header_roles.csv, so a new province's wording is a new CSV row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.tables.numbers import is_amount, is_malformed_number, join_code, parse_amount
from helpers.tables.split import Row, squeeze

YEAR_RE = re.compile(r"(\d{4})年")
SUBTOTAL_RE = re.compile(r"^(?:合计|小计)$")
BRACKET_CODE_RE = re.compile(r"^\s*[\[【［]\s*(\d{3,})\s*[\]】］]\s*(.+)$")
NOTE_ROLE = "note"  # a free-text column (绩效目标, 备注): its cells are neither labels nor amounts
DECIMAL_MARK_RE = re.compile(r"[.,]")
NUMBERING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|其中[：:])"
)


@lru_cache(maxsize=1)
def role_rules() -> list[tuple[re.Pattern, re.Pattern | None, str, str]]:
    """(label, parent, role, family) of maps/header_roles.csv; a rule with a family applies to tables of that
    family only (人员类 is 人员经费 in an economic table, a project type elsewhere)."""
    rules = pd.read_csv(MAPS_DIR / "header_roles.csv", dtype=str, keep_default_na=False)
    return [
        (re.compile(f"^(?:{r.label})$"), re.compile(r.parent) if r.parent else None, r.role, r.family)
        for r in rules.itertuples()
    ]


@lru_cache(maxsize=1)
def function_class_names() -> dict[str, str]:
    """Normalised class name (and aliases) → 3-digit function class code."""
    classes = pd.read_csv(MAPS_DIR / "function_classes.csv", dtype=str)
    names: dict[str, str] = {}
    for row in classes.itertuples():
        for name in [row.name, *row.aliases.split("|")]:
            names[name] = row.func_class
            names[name + "支出"] = row.func_class
    return names


def strip_numbering(label: str) -> str:
    text = squeeze(label)
    while True:
        stripped = NUMBERING_RE.sub("", text)
        if stripped == text:
            return stripped.rstrip(":：")
        text = stripped


def role_of_path(path: list[str], family: str = "") -> str | None:
    """The role of a column given its header labels, top to bottom, in a table of this family."""
    return _role_of_labels(tuple(squeeze(p) for p in path if p), family)


CARRYOVER = "carryover"


@lru_cache(maxsize=4096)
def _role_of_labels(labels: tuple[str, ...], family: str = "") -> str | None:
    """The role of a column's labels; under a carry-over group (上年结转结余 / 基本支出 / 小计) a role that has a
    carry-over counterpart in maps/header_roles.csv (carryover_basic …) becomes it."""
    role = _plain_role(labels, family)
    qualified = f"{CARRYOVER}_{role}"
    if (role and role != CARRYOVER and not role.startswith(CARRYOVER + "_")
            and qualified in {r for _, _, r, _ in role_rules()}
            and any(_plain_role((label,), family) == CARRYOVER for label in labels[:-1])):
        return qualified
    return role


@lru_cache(maxsize=4096)
def _plain_role(labels: tuple[str, ...], family: str = "") -> str | None:
    # Cached: tables of one template repeat their headers, and each label is tried against
    # every rule of maps/header_roles.csv.
    for depth in range(len(labels) - 1, -1, -1):
        label, ancestors = labels[depth], labels[:depth]
        # Rules of the table's own family first: a 三公 table's 小计 is its “三公” total before any other.
        rules = sorted(((parent_re, role, only) for label_re, parent_re, role, only in role_rules()
                        if label_re.match(label) and (not only or only == family)), key=lambda r: not r[2])
        if any(role == "detail" for _, role, _ in rules):
            continue  # a breakdown label: the parent label decides
        # The nearest ancestor decides a generic label (小计 under 一般公共预算 …): by a rule naming it, else, for
        # a subtotal, by the ancestor's own role (小计 under 因公出国（境）费 is that item's total).
        for at in range(len(ancestors) - 1, -1, -1):
            ancestor = ancestors[at]
            for parent_re, role, _ in rules:
                if parent_re is not None and parent_re.search(ancestor):
                    return role
            if SUBTOTAL_RE.match(label):
                # The ancestor read with its own ancestors: 小计 under 上年结转结余 / 基本支出 is the carry-over's.
                own = _plain_role(ancestors[: at + 1], family)
                if own is not None:
                    return own
        for parent_re, role, _ in rules:
            if parent_re is None:
                return role
    return None


@dataclass
class Layout:
    """What the header says about each column of a table."""

    roles: dict[int, str]  # amount column → role
    paths: dict[int, list[str]]  # column → header labels
    code_cols: dict[int, str]  # column → func_class / func_kuan / func_xiang / unit_code / econ
    label_cols: dict[int, str] = field(default_factory=dict)  # column → header label text
    period: dict[int, str] = field(default_factory=dict)  # column → "prev" for earlier years
    summable: set[int] = field(default_factory=set)  # leaf columns under one group label
    table_shift: int = 0  # columns the whole table's data sits away from its header (settle_layout)
    note_cols: set[int] = field(default_factory=set)  # free-text columns (绩效目标, 备注): no label, no amount
    # Rows read with this layout, by id (with the row, so that the id stays its own): settle_layout and then the
    # table's parser read every row with the same layout. A layout is never changed once made.
    _read: dict[int, tuple[Row, ParsedRow]] = field(default_factory=dict, init=False, repr=False, compare=False)
    # The column identities (IDENTITIES) this layout's roles let a row be checked against.
    _identities: list[tuple[str, tuple[str, ...]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        roles = set(self.roles.values())
        self._identities = [(whole, parts) for whole, parts in IDENTITIES
                            if whole in roles and any(p in roles for p in parts)]

    def restrict(self, low: int, high: int) -> Layout:
        """The layout of columns low..high-1 only (one side of a two-sided table)."""
        keep = range(low, high)
        return Layout(
            roles={c: r for c, r in self.roles.items() if c in keep}, paths=self.paths,
            code_cols=self.code_cols, label_cols=self.label_cols, period=self.period,
            summable=self.summable, table_shift=self.table_shift, note_cols=self.note_cols,
        )

    def shifted(self, start: int, delta: int) -> Layout:
        """The layout with every amount column from ``start`` on taking the role ``delta`` columns away."""
        roles = {c: r for c, r in self.roles.items() if c < start}
        for col in range(start, max(self.roles, default=0) + 1):
            if col + delta in self.roles and col + delta >= start:
                roles[col] = self.roles[col + delta]
        return Layout(roles=roles, paths=self.paths, code_cols=self.code_cols, label_cols=self.label_cols,
                      period=self.period, summable=self.summable, table_shift=delta, note_cols=self.note_cols)

    @property
    def first_amount_col(self) -> int | None:
        return min(self.roles) if self.roles else None


CODE_LABELS = {
    "类": "func_class", "款": "func_kuan", "项": "func_xiang",
    "单位代码": "unit_code", "单位编码": "unit_code", "部门（单位）代码": "unit_code",
}


def build_layout(header: list[Row], fiscal_year: int | None = None, family: str = "") -> Layout:
    """Column roles from header rows (group labels fill right over their span), for a table of this family."""
    # A layout depends on the header's cells alone, and the documents of one template print the same headers: each
    # is read once per worker. A new Layout around the same (never changed) fields: its rows read are its own.
    return replace(_layout_of(tuple(tuple(r.cells) for r in header), fiscal_year, family))


@lru_cache(maxsize=1 << 10)
def _layout_of(header: tuple[tuple[str, ...], ...], fiscal_year: int | None, family: str) -> Layout:
    width = max((len(cells) for cells in header), default=0)
    grid = [list(cells) + [""] * (width - len(cells)) for cells in header]
    filled = [
        _fill_groups(cells, grid[i - 1] if i else None) if i < len(grid) - 1 else list(cells)
        for i, cells in enumerate(grid)
    ]
    _split_repeated_periods(grid, filled)
    paths = {c: [filled[r][c] for r in range(len(grid))] for c in range(width)}
    roles: dict[int, str] = {}
    code_cols: dict[int, str] = {}
    labels: dict[int, str] = {}
    period: dict[int, str] = {}
    summable: set[int] = set()
    for col, path in paths.items():
        labels[col] = " / ".join(squeeze(p) for p in path if p)
        deepest = next((squeeze(p) for p in reversed(path) if p), "")
        if deepest in CODE_LABELS:
            code_cols[col] = CODE_LABELS[deepest]
        role = role_of_path([p for p in path if squeeze(p) not in CODE_LABELS], family)
        if role:
            roles[col] = role
        bottom = squeeze(grid[-1][col]) if grid else ""
        if not bottom or role_of_path([bottom], family) is None and _is_detail(bottom):
            summable.add(col)
        years = [int(y) for p in path for y in YEAR_RE.findall(squeeze(p))]
        if fiscal_year and years and max(years) < fiscal_year:
            period[col] = "prev"
    first_amount = min(roles) if roles else width
    # A code label right of the amounts is a header row the extraction shifted.
    code_cols = {c: r for c, r in code_cols.items() if c < first_amount}
    notes = {c for c, r in roles.items() if r == NOTE_ROLE}
    roles = {c: r for c, r in roles.items() if c not in code_cols and c not in notes}
    return Layout(roles=roles, paths=paths, code_cols=code_cols, label_cols=labels, period=period,
                  summable=summable, note_cols=notes)


@lru_cache(maxsize=4096)
def _is_detail(label: str) -> bool:
    return any(regex.match(label) and role == "detail" for regex, _, role, _ in role_rules())


def _fill_groups(cells: list[str], above: list[str] | None) -> list[str]:
    """A group label covers the empty cells to its right, up to where the row above
    starts another group."""
    out, last = [], ""
    for col, cell in enumerate(cells):
        if above is not None and above[col] and not cell:
            last = ""
        if cell:
            # Code labels (类/款/项) name one column each; only group labels span.
            last = "" if squeeze(cell) in CODE_LABELS else cell
            out.append(cell)
        else:
            out.append(last)
    return out


def _split_repeated_periods(grid: list[list[str]], filled: list[list[str]]) -> None:
    """Year groups (2023年预算数 | 2024年预算数) over a label row that repeats: give each
    repeat its year, whatever the misaligned top row says."""
    if len(grid) < 2:
        return
    top = [c for c in grid[0] if c]
    if len(top) < 2 or not all(YEAR_RE.search(squeeze(c)) for c in top):
        return
    second = grid[1]
    starts = [i for i, c in enumerate(second) if c and squeeze(c) == squeeze(next(x for x in second if x))]
    if len(starts) != len(top):
        return
    bounds = starts + [len(second)]
    for k, label in enumerate(top):
        for col in range(bounds[k], bounds[k + 1]):
            filled[0][col] = label


@dataclass
class ParsedRow:
    line: int
    labels: list[tuple[int, str]]  # (col, text) of label cells, left of the amounts
    codes: list[tuple[int, str]]  # (col, digits) code cells, left of the amounts
    amounts: dict[str, Decimal]  # role → amount in the table's unit (duplicates summed)
    prev_amounts: dict[str, Decimal]
    leftover: list[tuple[int, str, str]]  # (col, text, reason): numeric cells with no role
    shifted: int = 0
    shift_start: int = 0  # first column the shift applies to

    @property
    def name(self) -> str:
        return squeeze(self.labels[-1][1]) if self.labels else ""


def settle_layout(rows: list[Row], layout: Layout) -> Layout:
    """A header misaligned with its data (a header cell lost or added by the extraction)
    makes most rows need the same one-column shift; then the shift belongs to the table,
    and rows whose identities cannot tell (a single project column filled) follow it too."""
    shifts: dict[tuple[int, int], int] = {}
    with_amounts = 0
    for row in rows:
        parsed = read_row(row, layout)
        if len(parsed.amounts) < 2:
            continue
        with_amounts += 1
        if parsed.shifted:
            key = (parsed.shift_start, parsed.shifted)
            shifts[key] = shifts.get(key, 0) + 1
    if not shifts:
        return layout
    (start, delta), count = max(shifts.items(), key=lambda kv: kv[1])
    return layout.shifted(start, delta) if count * 2 > with_amounts else layout


@lru_cache(maxsize=1 << 16)
def is_code(text: str) -> bool:
    # Cached, as the cell parsers of helpers.numbers: every cell is asked several times per read.
    code = join_code(text)
    return code is not None and code.isdigit() and len(code) >= 2 and not DECIMAL_MARK_RE.search(text)


def read_row(row: Row, layout: Layout) -> ParsedRow:
    """Split a body row into label/code cells and amounts mapped to column roles.

    Amounts are the cells after the last text cell. When the extraction shifted a row,
    its first amount is aligned with the first amount column (the row total). A row read
    again with the same layout is the same ParsedRow (callers only read it).
    """
    known = layout._read.get(id(row))
    if known is not None and known[0] is row:
        return known[1]
    parsed = _read_row(row, layout)
    layout._read[id(row)] = (row, parsed)
    return parsed


def _read_row(row: Row, layout: Layout) -> ParsedRow:
    cells = row.cells
    # The last text cell, found from the right: the amounts after it are the only cells tried.
    last_text = next((i for i in range(len(cells) - 1, -1, -1)
                      if (c := cells[i]) and not is_amount(c) and not is_code(c) and i not in layout.note_cols
                      and not (i in layout.roles and is_malformed_number(c))), -1)
    labels, codes = [], []
    for i in range(last_text + 1):
        cell = cells[i]
        if not cell:
            continue
        bracketed = BRACKET_CODE_RE.match(cell)
        if bracketed:  # [2010301]行政运行 (广东): the code printed in brackets before the name
            codes.append((i, bracketed.group(1)))
            labels.append((i, bracketed.group(2)))
        elif is_code(cell) and i not in layout.roles or is_code(cell) or is_amount(cell):
            codes.append((i, join_code(cell) or cell))
        else:
            labels.append((i, cell))
    numeric = [(i, c) for i in range(last_text + 1, len(cells)) if (c := cells[i]) and i not in layout.note_cols]
    # Codes written before any label (a row whose text is all codes) stay codes.
    if last_text < 0:
        while numeric and is_code(numeric[0][1]) and numeric[0][0] not in layout.roles:
            codes.append(numeric.pop(0))
    if not layout.roles:
        return _read_headerless(row, labels, codes, numeric)
    shift = 0
    first = layout.first_amount_col
    if (numeric and first is not None and layout.roles.get(first) in {"total", "three_public_total"}
            and numeric[0][0] != first and first not in dict(numeric)):
        shift = first - numeric[0][0]
    amounts: dict[str, Decimal] = {}
    prev: dict[str, Decimal] = {}
    source: dict[str, int] = {}
    leftover: list[tuple[int, str, str]] = []
    for col, text in numeric:
        target = col + shift
        role = layout.roles.get(target)
        try:
            value = parse_amount(text)
        except ValueError:
            leftover.append((col, text, "not a number in an amount column"))
            continue
        if value is None:
            continue
        if role is None:
            leftover.append((col, text, f"no column role for header '{layout.label_cols.get(target, '')}'"))
            continue
        bucket = prev if layout.period.get(target) == "prev" else amounts
        key = (id(bucket), role)
        if role in bucket and key in source and not (target in layout.summable and source[key] in layout.summable):
            leftover.append((col, text, f"a second column with header role '{role}'"))
            continue
        source[key] = target
        bucket[role] = bucket.get(role, Decimal(0)) + value
    parsed = ParsedRow(row.line, labels, codes, amounts, prev, leftover, shift or layout.table_shift)
    return realign_by_identities(parsed, numeric, layout) or parsed


# Column identities every budget row satisfies: whole = sum of parts.
IDENTITIES = [
    ("total", ("basic", "project")),
    ("basic", ("personnel", "public")),
    ("project", ("project_other", "project_specific", "project_personnel")),
    ("total", ("current_year", "carryover")),
    ("carryover", ("carryover_general_budget", "carryover_gov_fund", "carryover_state_capital",
                   "carryover_special_account", "carryover_unit_funds")),
    ("current_year", ("general_budget", "gov_fund", "state_capital", "special_account", "business_income",
                      "operating_income", "superior_subsidy", "affiliated_income", "other_income", "unit_funds")),
]


def identities_hold(amounts: dict[str, Decimal], layout_roles: set[str]) -> bool | None:
    """True/False when at least one identity can be checked on the row, else None."""
    return _identities_hold(amounts, [(whole, parts) for whole, parts in IDENTITIES
                                      if whole in layout_roles and any(p in layout_roles for p in parts)])


def _identities_hold(amounts: dict[str, Decimal], identities: list[tuple[str, tuple[str, ...]]]) -> bool | None:
    """identities_hold over the identities a layout can check (Layout._identities)."""
    checked = False
    for whole, parts in identities:
        if whole not in amounts and not any(p in amounts for p in parts):
            continue
        checked = True
        if amounts.get(whole, Decimal(0)) != sum((amounts.get(p, Decimal(0)) for p in parts), Decimal(0)):
            return False
    return True if checked else None


def realign_by_identities(parsed: ParsedRow, numeric: list[tuple[int, str]], layout: Layout) -> ParsedRow | None:
    """A row whose cells after some column slipped by one (an empty cell lost or added by
    the extraction) breaks the column identities; the one-column shift that makes every
    identity hold exactly is taken, and the row is marked realigned."""
    if parsed.leftover or _identities_hold(parsed.amounts, layout._identities) is not False:
        return None
    # The latest start moves the fewest cells: a lost empty cell is nearest the first misplaced amount.
    for start in sorted((c for c, _ in numeric), reverse=True):
        for delta in (1, -1):
            amounts: dict[str, Decimal] = {}
            ok = True
            for col, text in numeric:
                role = layout.roles.get(col + delta if col >= start else col)
                value = parse_amount(text)
                if role is None or role in amounts:
                    ok = False
                    break
                if value is not None:
                    amounts[role] = value
            if ok and _identities_hold(amounts, layout._identities):
                return ParsedRow(parsed.line, parsed.labels, parsed.codes, amounts,
                                 parsed.prev_amounts, [], delta, start)
    return None


def _read_headerless(row: Row, labels, codes, numeric) -> ParsedRow:
    """A table that lost its header: the first amount is the row total (tables put the
    total first); the meaning of the others is unknown and they are left unparsed."""
    amounts: dict[str, Decimal] = {}
    leftover: list[tuple[int, str, str]] = []
    for k, (col, text) in enumerate(numeric):
        try:
            value = parse_amount(text)
        except ValueError:
            leftover.append((col, text, "not a number"))
            continue
        if k == 0 and value is not None:
            amounts["total"] = value
        elif value is not None:
            leftover.append((col, text, "table without header: column meaning unknown"))
    return ParsedRow(row.line, labels, codes, amounts, {}, leftover, 0)
