"""Every amount, percent and project count the narrative states, one row per number (and subject), for the
checks. Wording lives in four maps: narrative_subjects.csv (what a number is about), narrative_cues.csv
(kind, sign, thresholds, masks, headings), narrative_scopes.csv (funding scope) and narrative_shares.csv
(which whole a share is taken of); the rules are in the docstring of extract_narrative_statements.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.frames import typed_frame
from helpers.narrative.literals import required_literals
from helpers.narrative.text import (
    EVIDENCE_MAX,
    UNIT_FACTOR,
    WHITESPACE_RE,
    ClauseEnds,
    Paragraph,
    bracketed_asides,
    evidence_text,
    join_paragraphs,
)
from helpers.tables.layout import function_class_names, strip_numbering

SUBJECTS_PATH = MAPS_DIR / "narrative_subjects.csv"
CUES_PATH = MAPS_DIR / "narrative_cues.csv"
SCOPES_PATH = MAPS_DIR / "narrative_scopes.csv"
SHARES_PATH = MAPS_DIR / "narrative_shares.csv"
STATEMENT_COLUMNS = [
    "line", "evidence", "number_text", "kind", "subject", "scope", "value",
    "share_of", "func_names", "func_code", "project_name", "year",
]
KINDS = ("amount", "prev_amount", "share", "change_amount", "change_pct", "count")
SCOPES = ("all", "fiscal", "general", "gov_fund", "state_capital")
SUBJECTS: tuple[str, ...] = (
    "total_income", "total_expenditure", "current_income", "current_expenditure",
    "carryover_income", "next_year_carryover",
    "income:general_budget", "income:gov_fund", "income:state_capital", "income:special_account",
    "income:business_income", "income:operating_income", "income:superior_subsidy",
    "income:affiliated_income", "income:other_income", "income:fiscal_total", "income:unit_funds",
    "fiscal_total", "general_budget_total", "gov_fund_total", "state_capital_total",
    "basic_expenditure", "project_expenditure", "personnel_expenditure", "public_expenditure", "func",
    "three_public_total", "three_public_abroad", "three_public_vehicle", "three_public_vehicle_purchase",
    "three_public_vehicle_operation", "three_public_reception", "operating_expenses",
    "procurement_total", "procurement_goods", "procurement_works", "procurement_services",
    "project_count", "performance_funds", "project",
)
CUES = (
    "threshold", "share", "increase", "decrease", "no_change", "absent", "previous", "comparison_year",
    "filler", "mask", "heading", "continuation", "fiscal_year", "generic",
)
# A number and its unit; the lookbehind keeps "1,830.55" from being read from its middle.
STATEMENT_NUMBER_RE = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>亿元|万元|元|%|％)"
)
YEAR_RE = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*年")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
OWN_NAME_MIN = 2  # CJK characters left once the generic words are gone: 办公费 names an item
MASK_CHAR = "。"  # masked text cannot hold a subject nor let a pattern run across it
FUNC_LEVEL_MARK_RE = re.compile(r"[（(][类款项][）)]|-")  # splits 卫生健康支出（类）医疗救助（款）…


@dataclass(frozen=True)
class SubjectRule:
    subjects: tuple[str | None, ...]  # (None,) for a row that states "no table holds this"
    regex: re.Pattern
    order: int
    counts: bool  # the pattern holds {N}: it finds counts, the number inside the match
    needs: frozenset[str] | None = None  # one of these is in every match (literals.required_literals)

    @cached_property
    def names_source(self) -> bool:
        """An income-source phrase (a scope word inside it names a source, not a scope)."""
        return any(s and s.startswith("income:") for s in self.subjects)


@dataclass(frozen=True)
class StatementMaps:
    subjects: tuple[SubjectRule, ...]
    cues: dict[str, tuple[re.Pattern, ...]]
    scopes: re.Pattern  # one alternation, a named group per scope, in file order
    shares: tuple[tuple[re.Pattern, tuple[str, ...]], ...]

    @cached_property
    def counting(self) -> tuple[SubjectRule, ...]:
        """The rules that find counts, in file order (each paragraph is searched with them apart)."""
        return tuple(rule for rule in self.subjects if rule.counts)

    @cached_property
    def naming(self) -> tuple[SubjectRule, ...]:
        """The rules that find subject phrases, in file order."""
        return tuple(rule for rule in self.subjects if not rule.counts)


def _read_map(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing columns {missing}")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _compile(path: Path, row: int, source: str) -> re.Pattern:
    try:
        return re.compile(source)
    except re.error as exc:
        raise ValueError(f"{path.name} row {row + 2}: bad pattern {source!r}: {exc}") from exc


def _class_alternation() -> str:
    names = {n.removesuffix("支出") for n in function_class_names() if n.removesuffix("支出")}
    return "(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + ")"


def load_statement_maps(directory: Path | None = None) -> StatementMaps:
    """Read and compile the four maps of :func:`extract_narrative_statements` (default: ``maps/``)."""
    return _load_statement_default() if directory is None else _load_statement_maps(Path(directory))


@lru_cache(maxsize=1)
def _load_statement_default() -> StatementMaps:
    return _load_statement_maps(MAPS_DIR)


def _load_statement_maps(directory: Path) -> StatementMaps:
    macros = {"{CLASS}": _class_alternation(), "{N}": r"(?P<n>\d+)"}
    path = directory / SUBJECTS_PATH.name
    rules = []
    for order, row in enumerate(_read_map(path, ("subject", "pattern"))):
        subjects = tuple(s or None for s in row["subject"].split("|"))
        unknown = [s for s in subjects if s is not None and s not in SUBJECTS]
        if unknown:
            raise ValueError(f"{path.name} row {order + 2}: unknown subject {unknown}")
        source = row["pattern"]
        for macro, regex in macros.items():
            source = source.replace(macro, regex)
        regex = _compile(path, order, source)
        rules.append(SubjectRule(subjects, regex, order, "{N}" in row["pattern"], required_literals(regex)))

    path = directory / CUES_PATH.name
    cues: dict[str, list[re.Pattern]] = {cue: [] for cue in CUES}
    for order, row in enumerate(_read_map(path, ("cue", "pattern"))):
        if row["cue"] not in cues:
            raise ValueError(f"{path.name} row {order + 2}: unknown cue {row['cue']!r}")
        cues[row["cue"]].append(_compile(path, order, row["pattern"]))

    path = directory / SCOPES_PATH.name
    scope_rows = _read_map(path, ("scope", "pattern"))
    for order, row in enumerate(scope_rows):
        if row["scope"] not in SCOPES:
            raise ValueError(f"{path.name} row {order + 2}: unknown scope {row['scope']!r}")
    scopes = _compile(path, 0, "|".join(f"(?P<{r['scope']}>{r['pattern']})" for r in scope_rows))

    path = directory / SHARES_PATH.name
    shares = tuple(
        (_compile(path, order, row["part"]), tuple(row["wholes"].split("|")))
        for order, row in enumerate(_read_map(path, ("part", "wholes")))
    )
    return StatementMaps(tuple(rules), {k: tuple(v) for k, v in cues.items()}, scopes, shares)


@dataclass(frozen=True)
class _Candidate:
    """A subject phrase found in a paragraph; ``end`` runs on over filler words up to its number."""

    start: int
    end: int
    rule: SubjectRule
    match: re.Match


def _search_any(patterns: Iterable[re.Pattern], text: str) -> re.Match | None:
    return next((m for p in patterns if (m := p.search(text))), None)


def _mask(text: str, maps: StatementMaps) -> str:
    spans = [m.span() for pattern in maps.cues["mask"] for m in pattern.finditer(text)]
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = MASK_CHAR * (end - start)
    return "".join(chars)


def _candidates(view: str, maps: StatementMaps) -> list[_Candidate]:
    found = []
    for rule in maps.naming:
        if rule.needs is not None:
            for literal in rule.needs:  # inline: a function call per rule and paragraph cost more than the test
                if literal in view:
                    break
            else:
                continue  # a search bound to find nothing
        for m in rule.regex.finditer(view):
            if m.end() == m.start():
                continue
            end = m.end()
            for filler in maps.cues["filler"]:
                if tail := filler.match(view, end):
                    end = tail.end()
            found.append(_Candidate(m.start(), end, rule, m))
    return found


def _nearest(candidates: list[_Candidate], position: int,
             asides: list[tuple[int, int]] = ()) -> _Candidate | None:
    """The subject phrase ending nearest before ``position``; at the same end the longest, then the first row. A
    phrase inside a bracketed aside closed before the number is not its subject: in 运行维护费701.34万元（购置费331万元，
    运行维护费370.34万元）比上年增加66.79万元 the change is about the phrase before the brackets."""
    before = [c for c in candidates if c.end <= position
              and not any(open_ < c.start and c.end <= close < position for open_, close in asides)]
    return max(before, key=lambda c: (c.end, c.end - c.start, -c.rule.order), default=None)


def _scope_marks(view: str, candidates: list[_Candidate], maps: StatementMaps) -> list[tuple[int, str]]:
    """Scope words with their position; one inside an income-source phrase names a source, not a scope."""
    sources = [c.match for c in candidates if c.rule.names_source]
    if sources:
        chars = list(view)
        for m in sources:
            chars[m.start(): m.end()] = MASK_CHAR * (m.end() - m.start())
        view = "".join(chars)
    return [(m.start(), m.lastgroup) for m in maps.scopes.finditer(view) if m.lastgroup]


def _infer_fiscal_year(lines: Sequence[tuple[int, str]], maps: StatementMaps) -> int | None:
    for _, text in lines:
        if m := _search_any(maps.cues["fiscal_year"], text):
            return int(m.group("year"))
    return None


def _year_of(text: str, ends: ClauseEnds, position: int, maps: StatementMaps) -> int | None:
    """The year printed nearest before ``position`` in its sentence, unless it is the base of a comparison."""
    sentence_start = ends.sentence_start(position)
    years = [
        m for m in YEAR_RE.finditer(text, sentence_start, position)
        if not _search_any(maps.cues["comparison_year"], text[sentence_start: m.start()])
    ]
    return int(years[-1].group("year")) if years else None


def _names_own_item(text: str, ends: ClauseEnds, cand: _Candidate, position: int, maps: StatementMaps) -> bool:
    """Whether the clause of the number at ``position``, which holds no subject phrase, names an item of its own."""
    clause_start = ends.clause_start(position)
    if cand.start >= clause_start:
        return False
    rest = text[clause_start:position]
    for pattern in maps.cues["generic"]:
        rest = pattern.sub("", rest)
    # 机关运行经费。…财政拨款运行经费 X: a short form of the subject phrase is the same item.
    return len(CJK_RE.findall(rest)) >= OWN_NAME_MIN and WHITESPACE_RE.sub("", rest) not in cand.match.group(0)


def _clause_before(text: str, ends: ClauseEnds, position: int) -> str:
    return text[ends.clause_start(position): position]


def _statement_evidence(text: str, ends: ClauseEnds, start: int, end: int) -> str:
    """The clause holding the number, with the clause before it when its own start is too short to say much."""
    left = ends.clause_start(start)
    if start - left < 6 and (earlier := ends.clause_start(start, back=2)):  # an end is never 0
        left = earlier
    right = ends.clause_stop(end, len(text))
    left = max(left, right - EVIDENCE_MAX)  # keep the end, where the number is
    return evidence_text(text[left:right])


def _func_fields(match: re.Match) -> tuple[str | None, str | None]:
    """Function names joined by "/" (类 name without 支出) and the printed or known class code."""
    groups = match.groupdict()
    raw = groups.get("func")
    if not raw:
        return None, None
    # Each level's name without its numbering (1.行政事业单位养老支出（款）: 江苏 numbers the 款 under its 类).
    parts = [strip_numbering(p) for p in FUNC_LEVEL_MARK_RE.split(WHITESPACE_RE.sub("", raw))]
    parts = [p for p in parts if p and p != "支出"]
    if not parts:
        return None, None
    parts[0] = parts[0].removesuffix("支出") or parts[0]
    code = WHITESPACE_RE.sub("", groups.get("code") or "")
    names = function_class_names()
    code = code or names.get(parts[0]) or names.get(parts[0] + "支出")
    return "/".join(parts), code or None


def _share_of(subject: str | None, earlier: list[dict], maps: StatementMaps) -> str | None:
    """The whole a share is taken of: the latest amount stated of a subject that may contain this one."""
    if subject is None:
        return None
    wholes = next((w for part, w in maps.shares if part.fullmatch(subject)), ())
    return next((r["subject"] for r in reversed(earlier) if r["kind"] == "amount" and r["subject"] in wholes), None)


def _kind_and_sign(text: str, ends: ClauseEnds, start: int, unit: str, year: int | None, fiscal_year: int | None,
                   maps: StatementMaps) -> tuple[str, float, bool]:
    """Kind, sign, and whether the number is about the subject phrase before it."""
    before = _clause_before(text, ends, start)
    change = -1.0 if _search_any(maps.cues["decrease"], before) else 1.0 if _search_any(maps.cues["increase"], before) else 0.0
    if unit in ("%", "％"):
        if change:
            return "change_pct", change, True
        # A percent with neither 占 nor a verb (参保率 97%) is no share of a table figure: keep it, without subject.
        return "share", 1.0, bool(_search_any(maps.cues["share"], before))
    if change:
        return "change_amount", change, True
    earlier = year is not None and fiscal_year is not None and year < fiscal_year
    return ("prev_amount" if earlier or _search_any(maps.cues["previous"], before) else "amount"), 1.0, True


def _row(para: Paragraph, text: str, ends: ClauseEnds, start: int, end: int, number_text: str, kind: str, subject: str | None,
         scope: str, value: float, cand_match: re.Match | None, year: int | None) -> dict:
    func_names, func_code = _func_fields(cand_match) if subject == "func" and cand_match else (None, None)
    groups = cand_match.groupdict() if subject == "project" and cand_match else {}
    project = groups.get("name") or groups.get("name2")
    return {"line": para.line_at(start), "evidence": _statement_evidence(text, ends, start, end), "number_text": number_text,
            "kind": kind, "subject": subject, "scope": scope, "value": round(value, 6), "share_of": None,
            "func_names": func_names, "func_code": func_code, "project_name": project, "year": year}


@dataclass(frozen=True)
class _State:
    """What a paragraph hands on to the next: the scope in force and the last subject phrase."""

    scope: str = "all"
    subject: _Candidate | None = None


def _paragraph_statements(para: Paragraph, state: _State, fiscal_year: int | None, maps: StatementMaps,
                          earlier: list[dict]) -> tuple[list[dict], _State]:
    """Rows for one paragraph, and the state at its end."""
    text = para.text
    first_piece = text[: para.starts[1]] if len(para.starts) > 1 else text
    if _search_any(maps.cues["heading"], first_piece):
        state = _State()
    view = _mask(text, maps)
    candidates = _candidates(view, maps)
    marks = _scope_marks(view, candidates, maps)
    numbers = list(STATEMENT_NUMBER_RE.finditer(text))
    ends = ClauseEnds.of(text)
    opening = text[: numbers[0].start()] if numbers else text
    carried = state.subject if _search_any(maps.cues["continuation"], opening) else None

    asides = bracketed_asides(view)

    def subject_at(position: int) -> _Candidate | None:
        return _nearest(candidates, position, asides) or carried

    inherited = state.scope

    def scope_at(position: int) -> str:
        return next((s for p, s in reversed(marks) if p < position), inherited)

    found: list[tuple[int, list[dict]]] = []
    counted: set[int] = set()
    for rule in maps.counting:
        for m in rule.regex.finditer(view):
            start = m.start("n")
            if start in counted:
                continue  # an earlier row already said what this count is about
            counted.add(start)
            rows = [
                _row(para, text, ends, start, m.end("n"), m.group("n"), "count", subject, scope_at(start),
                     float(m.group("n")), None, _year_of(text, ends, start, maps))
                for subject in rule.subjects
            ]
            found.append((start, rows))

    for m in numbers:
        unit = m.group("unit")
        if _search_any(maps.cues["threshold"], text[m.end():]):
            continue
        start = m.start("num")
        year = _year_of(text, ends, start, maps)
        kind, sign, about_subject = _kind_and_sign(text, ends, start, unit, year, fiscal_year, maps)
        value = float(m.group("num").replace(",", "")) * sign * UNIT_FACTOR.get(unit, 1.0)
        cand = subject_at(start) if about_subject else None
        if cand is not None and cand is not carried and kind == "amount" and _names_own_item(text, ends, cand, start, maps):
            cand = None  # 项目支出 X，2026信访专项经费 30万元: a list item of its own, in no table's row
        subjects = cand.rule.subjects if cand else (None,)
        found.append((start, [
            _row(para, text, ends, start, m.end(), m.group("num"), kind, subject, scope_at(start), value,
                 cand.match if cand else None, year)
            for subject in subjects
        ]))

    for pattern in maps.cues["no_change"]:
        for m in pattern.finditer(text):
            cand = subject_at(m.start())
            if cand is None or cand.rule.subjects == (None,):
                continue  # a "no change" about nothing the tables hold adds nothing
            year = _year_of(text, ends, m.start(), maps)
            found.append((m.start(), [
                _row(para, text, ends, m.start(), m.end(), "", "change_amount", subject, scope_at(m.start()), 0.0,
                     cand.match, year)
                for subject in cand.rule.subjects
            ]))

    for cand in candidates:
        # 未安排政府采购预算 / 无机关运行经费: a zero stated in words, when no number follows in the clause.
        if cand.rule.subjects == (None,) or not _search_any(maps.cues["absent"], view[: cand.match.start()]):
            continue
        if STATEMENT_NUMBER_RE.search(text, cand.match.end(), ends.clause_stop(cand.match.end(), len(text))):
            continue
        start = cand.match.start()
        year = _year_of(text, ends, start, maps)
        found.append((start, [
            _row(para, text, ends, start, cand.match.end(), "", "amount", subject, scope_at(start), 0.0, cand.match, year)
            for subject in cand.rule.subjects
        ]))

    rows = []
    for _, group in sorted(found, key=lambda f: f[0]):
        for row in group:
            if row["kind"] == "share":
                row["share_of"] = _share_of(row["subject"], earlier + rows, maps)
            rows.append(row)
    return rows, _State(marks[-1][1] if marks else inherited, subject_at(len(text)))


def extract_narrative_statements(
    lines: Sequence[tuple[int, str]],
    fiscal_year: int | None = None,
    maps: StatementMaps | None = None,
) -> pd.DataFrame:
    """Every amount, percent and project count the narrative states, one row per number (and subject).

    ``lines``: (line_number, text) pairs of narrative text. ``fiscal_year`` (inferred from the
    first line naming the budget when None) tells an amount of an earlier year (``prev_amount``).
    Columns: :data:`STATEMENT_COLUMNS`, rows in the order of the text.

    Rules, with the wording in the maps:

    - A number is an amount (亿元/万元/元 → 万元), a percent, or a count of projects (a
      ``{N}`` row of ``narrative_subjects.csv``). An amount followed by 以上/以下 is a
      threshold and skipped; years, dates and other numbers carry no unit and are not read.
    - kind: a percent after 占 is a ``share``; a number right after an increase/decrease verb
      is a change (signed, negative for 减少/下降); an amount after 上年…为 or in a sentence
      about an earlier year is ``prev_amount``. 持平/无差异 give a ``change_amount`` of 0
      with an empty ``number_text`` when they follow a known subject.
    - subject: the subject phrase ending nearest before the number in the paragraph (it
      runs on over filler words such as 支出预算数为); at the same end the longest phrase,
      then the first row of the map. A paragraph that opens straight into a number
      (2022年当年预算执行数为 X) goes on with the last phrase of the paragraph before. A row
      with an empty subject claims the number for "no table holds this" (evaluations,
      主要原因, assets). Counts take the first ``{N}``
      row, in file order, that matches around the number. "主要用于…" and similar
      descriptions are masked first. A phrase naming two subjects (收支总计) gives two rows.
    - scope: the last scope word before the number in the paragraph, else the one in
      force at the end of the paragraph before, unless the paragraph opens with a heading
      (一、… or a title line ending in 说明/情况): then ``all``. Scope words inside an
      income-source phrase (其中：一般公共预算 X) do not count.
    - share_of: for a share, the latest amount (so far) of a subject that
      ``narrative_shares.csv`` lists as a whole of the share's subject.
    - year: the year printed nearest before the number in its sentence, not counting the
      base of a comparison (比/与/较 2023年).
    """
    if maps is None:
        maps = load_statement_maps()
    if fiscal_year is None:
        fiscal_year = _infer_fiscal_year(lines, maps)
    rows: list[dict] = []
    state = _State()
    for para in join_paragraphs(lines):
        para_rows, state = _paragraph_statements(para, state, fiscal_year, maps, rows)
        rows.extend(para_rows)
    return _statement_frame(rows)


# Column dtypes of the statements frame: text columns that are always filled are strings;
# those that may be empty stay objects holding None; the year is a nullable integer.
_STATEMENT_DTYPES = {
    "line": "int64", "evidence": str, "number_text": str, "kind": str, "subject": object, "scope": str,
    "value": "float64", "share_of": object, "func_names": object, "func_code": object, "project_name": object,
    "year": "Int64",
}


def _statement_frame(rows: list[dict]) -> pd.DataFrame:
    """The statement rows as a frame, each column built with its dtype at once (converting
    a frame built from the rows column by column costs several times as much)."""
    return typed_frame(rows, {column: _STATEMENT_DTYPES[column] for column in STATEMENT_COLUMNS})
