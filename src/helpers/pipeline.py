"""Run the stages for one document or a folder, and write data/processed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

import pandas as pd

from helpers.clean import (
    ECON_KINDS,
    FUNCTION_KINDS,
    PROJECT_KINDS,
    SUMMARY_KINDS,
    TableContext,
    amount_roles,
    match_name,
    parse_econ_table,
    parse_function_table,
    parse_project_table,
    parse_summary_table,
)
from helpers.config import MANIFEST_NAME as MANIFEST
from helpers.extract import EMPTY_NOTE_RE, RawDocument, extract_document, squeeze
from helpers.indicators import NEW_COLUMNS as INDICATOR_NEW_COLUMNS
from helpers.indicators import SUMMARY_COLUMNS, count_reuse, enrich_indicators, recount_reused, summarize_indicators
from helpers.io_raw import DOC_ID_RE, DocumentError, RawText, load_manifest, read_text
from helpers.layout import build_layout, read_row, settle_layout
from helpers.narrative import extract_narrative_figures, extract_narrative_statements
from helpers.numbers import is_amount
from helpers.performance import parse_performance_table
from helpers.profile import CLASS_COLUMNS, PROFILE_COLUMNS, build_profile, classify_projects
from helpers.reconcile import FINDING_COLUMNS, reconcile

PERFORMANCE_KINDS = {"dept_performance", "project_performance", "special_fund_performance"}
THREE_PUBLIC_KINDS = {"three_public", "gov_fund_three_public"}
TABLE_NAMES = [
    "documents", "tables", "budget_lines", "economic_lines", "projects", "performance_budgets",
    "indicators", "key_figures", "narrative_statements", "findings", "unparsed",
    "project_classes", "spending_profile", "indicator_summary",
]
# Tables whose row order is meaningful within a document (measures in reading order).
SORT_KEYS = {"spending_profile": ["doc_id"]}
# Where each key figure is read, in order of preference: (table kind, side, row type, column).
KEY_FIGURE_SOURCES: dict[str, list[tuple[str, str | None, str, str]]] = {
    "total_income": [("summary", "income", "grand_total", "total_wan"),
                     ("summary", "income", "current_total", "total_wan")],
    "total_expenditure": [("summary", "expenditure", "grand_total", "total_wan"),
                          ("summary", "expenditure", "current_total", "total_wan")],
    "basic_expenditure": [("expenditure", None, "total", "basic_wan"),
                          ("general_expenditure", None, "total", "basic_wan"),
                          ("summary", "expenditure", "grand_total", "basic_wan")],
    "project_expenditure": [("expenditure", None, "total", "project_wan"),
                            ("general_expenditure", None, "total", "project_wan"),
                            ("projects", None, "total", "total_wan"),
                            ("summary", "expenditure", "grand_total", "project_wan")],
    "personnel_expenditure": [("general_basic_econ", None, "total", "personnel_wan"),
                              ("expenditure", None, "total", "personnel_wan"),
                              ("general_expenditure", None, "total", "personnel_wan"),
                              ("summary", "expenditure", "grand_total", "personnel_wan")],
    "public_expenditure": [("general_basic_econ", None, "total", "public_wan"),
                           ("expenditure", None, "total", "public_wan"),
                           ("general_expenditure", None, "total", "public_wan"),
                           ("summary", "expenditure", "grand_total", "public_wan")],
    "operating_expenses": [("operating_expenses", None, "total", "total_wan")],
    "procurement_total": [("procurement", None, "total", "total_wan")],
}
THREE_PUBLIC_FIGURES = {
    "three_public_total": "three_public_total", "three_public_abroad": "three_public_abroad",
    "three_public_vehicle_purchase": "three_public_vehicle_purchase",
    "three_public_vehicle_operation": "three_public_vehicle_operation",
    "three_public_reception": "three_public_reception", "operating_expenses": "operating_expenses",
}


@dataclass
class DocumentResult:
    doc_id: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (error | warning, one-line message)

    def count(self, name: str) -> int:
        return len(self.frames.get(name, []))


def document_metadata(doc_id: str, path: Path, raw: RawText, manifest: pd.DataFrame) -> dict:
    """The manifest row of a document, or metadata inferred from its text."""
    rows = _manifest_rows(manifest)
    if doc_id in rows:
        meta = dict(rows[doc_id])  # a copy: the caller adds to it
        meta["metadata_inferred"] = False
    else:
        meta = {"doc_id": doc_id, **infer_metadata(raw.text), "metadata_inferred": True}
    meta.update(source_file=path.name, sha256=raw.sha256, encoding=raw.encoding)
    return meta


_MANIFEST_ROWS: list[tuple[pd.DataFrame, dict[str, dict]]] = []  # the last manifest seen and its rows by doc_id


def _manifest_rows(manifest: pd.DataFrame) -> dict[str, dict]:
    """doc_id → its first manifest row as a dict, built once per manifest rather than filtering it for every document.
    The frame is kept with its rows, so an identity check is safe (its id cannot be reused while cached)."""
    if not _MANIFEST_ROWS or _MANIFEST_ROWS[0][0] is not manifest:
        rows: dict[str, dict] = {}
        for doc_id, record in zip(manifest["doc_id"].tolist(), manifest.to_dict("records"), strict=True):
            rows.setdefault(doc_id, record)
        _MANIFEST_ROWS[:] = [(manifest, rows)]
    return _MANIFEST_ROWS[0][1]


def infer_metadata(text: str) -> dict:
    """Bureau name, fiscal year and amount unit read from the document's first lines."""
    head = "\n".join(line.strip("#* ") for line in text.split("\n")[:40])
    year = re.search(r"(20\d{2})\s*年", head)
    name = re.search(r"(?:20\d{2}\s*年度?\s*)?"
                     r"([\u4e00-\u9fff（）()]{4,40}?(?:局|院|办公室|办事处|中心|委员会)(?:（本级）)?)", head)
    units = re.findall(r"单位\s*[：:]\s*(万元|元)", text)
    return {
        "bureau_name": name.group(1) if name else "", "province": "", "prefecture": "", "county": "",
        "admin_level": "", "fiscal_year": year.group(1) if year else "",
        "amount_unit": max(set(units), key=units.count) if units else "万元",
    }


def process_document(doc_id: str, path: Path, manifest: pd.DataFrame) -> DocumentResult:
    """All stages for one document. Raises DocumentError with a one-line reason."""
    raw = read_text(path)
    meta = document_metadata(doc_id, path, raw, manifest)
    doc = extract_document(raw.text)
    if not doc.tables:
        raise DocumentError("no recognisable budget table found")
    fiscal_year = int(meta["fiscal_year"]) if str(meta.get("fiscal_year", "")).isdigit() else None
    default_unit = meta.get("amount_unit") or "万元"
    budget, econ, projects, indicators, budgets, unparsed, three_public = [], [], [], [], [], [], []
    tables = []
    for table in doc.tables:
        ctx = TableContext(doc_id, table, table.unit or default_unit, fiscal_year)
        layout = settle_layout(table.body, build_layout(table.header, fiscal_year))
        tables.append(table_row(doc_id, table, layout))
        if table.kind in SUMMARY_KINDS:
            budget += parse_summary_table(ctx, layout)
        elif table.kind in FUNCTION_KINDS:
            budget += parse_function_table(ctx, layout)
        elif table.kind in ECON_KINDS:
            econ += parse_econ_table(ctx, layout)
        elif table.kind in PROJECT_KINDS:
            found, lines = parse_project_table(ctx, layout)
            projects += found
            budget += lines
        elif table.kind in PERFORMANCE_KINDS:
            found, amounts = parse_performance_table(ctx)
            indicators += found
            budgets += amounts
        elif table.kind in THREE_PUBLIC_KINDS:
            three_public += parse_three_public(ctx, layout)
        else:
            for row in table.body:
                for col, cell in enumerate(row.cells):
                    if is_amount(cell):
                        ctx.leave(row.line, col, cell, f"table of unknown kind (title: {table.title or 'none'})")
        for line, text in table.notes:
            if is_amount(text):
                ctx.leave(line, None, text, "number in a table note")
        unparsed += ctx.unparsed
    frames = {
        "budget_lines": _frame(budget, BUDGET_COLUMNS),
        "economic_lines": _frame(econ, ECON_COLUMNS),
        "projects": _frame(projects, PROJECT_COLUMNS),
        "performance_budgets": _frame(budgets, PERF_BUDGET_COLUMNS),
        "indicators": _frame(indicators, INDICATOR_COLUMNS),
        "unparsed": _frame(unparsed, UNPARSED_COLUMNS),
    }
    attach_project_codes(frames["projects"], frames["performance_budgets"], frames["indicators"])
    narrative = extract_narrative_figures(doc.narrative)
    frames["key_figures"] = key_figures(doc_id, frames, three_public, narrative)
    frames["tables"] = _frame(tables, TABLE_COLUMNS)
    frames["documents"] = pd.DataFrame([document_row(meta, doc, frames)])
    statements = extract_narrative_statements(doc.narrative, fiscal_year).assign(doc_id=doc_id)
    # Every printed 三公 row (key_figures keeps one per figure) goes to the checks.
    printed = _frame(three_public, ["figure", "value_wan", "table_kind", "line"])
    findings, statements = reconcile(doc_id, frames, printed, statements, doc.toc, fiscal_year)
    frames["findings"] = findings
    frames["narrative_statements"] = _frame(statements.to_dict("records"), STATEMENT_COLUMNS)
    frames["documents"]["n_findings_error"] = int((findings["severity"] == "error").sum())
    frames["documents"]["n_findings_warning"] = int((findings["severity"] == "warning").sum())
    frames["project_classes"] = classify_projects(frames["projects"], frames["budget_lines"])
    frames["spending_profile"] = build_profile(doc_id, frames, frames["project_classes"], doc.narrative)
    frames["indicators"] = enrich_indicators(frames["indicators"])
    frames["indicator_summary"] = summarize_indicators(frames["indicators"], frames["projects"],
                                                       frames["performance_budgets"])
    problems = input_problems(meta, doc, frames["unparsed"])
    frames["documents"]["problems"] = "; ".join(f"{severity}: {message}" for severity, message in problems)
    return DocumentResult(doc_id, frames, problems)


def input_problems(meta: dict, doc: RawDocument, unparsed: pd.DataFrame) -> list[tuple[str, str]]:
    """What is wrong with the input itself, one line each: a truncated text, unknown tables, no manifest row."""
    problems = []
    truncated = truncation(doc)
    if truncated:
        problems.append(("error", truncated))
    for table in doc.tables:
        if table.kind == "unknown":
            lines = {r.line for r in table.rows}
            n = int(unparsed["line"].isin(lines).sum())
            problems.append(("warning", f"table '{table.title}' (line {table.title_line}) matches no title of "
                                        f"maps/table_kinds.csv: its {n} numbers are kept in unparsed"))
    if meta.get("metadata_inferred"):
        problems.append(("warning", "no manifest row: bureau, year and unit read from the text (metadata_inferred)"))
    return problems


def truncation(doc: RawDocument) -> str | None:
    """Why the text looks cut short: it ends inside its last table and the contents list tables after it
    that the text lacks. None when it does not."""
    if not doc.tables or not doc.toc:
        return None
    found = {t.kind for t in doc.tables}
    kinds = [kind for _, _, kind in doc.toc]
    last = max((i for i, kind in enumerate(kinds) if kind in found), default=-1)
    after = [title for _, title, _ in doc.toc[last + 1:]]
    last_table = doc.tables[-1]
    ends_in_table = bool(last_table.rows) and not any(n > last_table.rows[-1].line for n, _ in doc.narrative)
    if after and ends_in_table:  # every table listed after the last one found is absent, by the choice of `last`
        return (f"truncated: the text ends at line {last_table.rows[-1].line} inside {last_table.title or last_table.kind}; "
                f"the contents list {len(after)} more table(s): {', '.join(after)}")
    return None


def count_reuse_across(results: list[DocumentResult]) -> None:
    """Indicators reused verbatim in other documents: counted over the whole corpus; the summaries' n_reused follows."""
    if not results:
        return
    everything = count_reuse(pd.concat([r.frames["indicators"] for r in results], ignore_index=True))
    ends = list(accumulate(r.count("indicators") for r in results))
    for result, start, end in zip(results, [0, *ends[:-1]], ends, strict=True):
        result.frames["indicators"] = everything.iloc[start:end].reset_index(drop=True)
        if not result.frames["indicator_summary"].empty:
            result.frames["indicator_summary"] = recount_reused(result.frames["indicator_summary"],
                                                                result.frames["indicators"])


def table_row(doc_id: str, table, layout) -> dict:
    """What the format stage saw of one table: where it stands, its columns, its page breaks."""
    lines = [r.line for r in table.rows] or [table.title_line]
    return {
        "doc_id": doc_id, "table_kind": table.kind, "title": table.title, "title_line": table.title_line,
        "first_line": min(lines), "last_line": max(lines), "unit": table.unit, "n_rows": len(table.body),
        "roles": " ".join(dict.fromkeys(r for r in layout.roles.values() if r)),
        "page_break_lines": " ".join(str(n) for n in table.page_lines),
        "empty_page_lines": " ".join(str(n) for n in table.empty_pages),
        "declared_empty": table.declared_empty, "title_inferred": table.title_inferred,
    }


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


def attach_project_codes(projects: pd.DataFrame, perf: pd.DataFrame, indicators: pd.DataFrame) -> None:
    """Project codes given by performance tables, matched on the normalised name."""
    coded = perf.dropna(subset=["project_code"]).drop_duplicates("project_name")
    codes = dict(zip(coded["project_name"], coded["project_code"], strict=False))
    if projects.empty:
        return
    matched = [match_name(name, list(codes)) for name in projects["project_name"]]
    projects["project_code"] = [codes.get(m) if m else None for m in matched]
    projects["performance_name"] = matched


def key_figures(doc_id: str, frames: dict[str, pd.DataFrame], three_public: list[dict],
                narrative: pd.DataFrame) -> pd.DataFrame:
    rows = []
    # The columns the sources read, as lists: ~30 lookups filtering a frame each would cost more.
    wanted = {"table_kind", "row_type", "side", "line", *(c for s in KEY_FIGURE_SOURCES.values() for *_, c in s)}
    lists = {name: {c: frames[name][c].tolist() for c in frames[name].columns if c in wanted}
             for name in ("budget_lines", "economic_lines")}
    for figure, sources in KEY_FIGURE_SOURCES.items():
        for kind, side, row_type, column in sources:
            table = lists["economic_lines" if kind in ECON_KINDS else "budget_lines"]
            hit = [i for i, (k, t) in enumerate(zip(table["table_kind"], table["row_type"], strict=True))
                   if k == kind and t == row_type and (side is None or "side" not in table or table["side"][i] == side)]
            filled = [i for i in hit if pd.notna(table[column][i])] if column in table else []
            if filled:
                rows.append((figure, float(table[column][filled[0]]), kind, int(table["line"][filled[0]])))
                break
            if hit and kind in {"expenditure", "general_expenditure", "operating_expenses"}:
                # The total row exists but leaves this column empty: zero, as printed.
                rows.append((figure, 0.0, kind, int(table["line"][hit[0]])))
                break
    seen = {r[0] for r in rows}
    for rec in three_public:
        if rec["figure"] not in seen:
            rows.append((rec["figure"], rec["value_wan"], rec["table_kind"], rec["line"]))
            seen.add(rec["figure"])
    general = [r for r in three_public if r["table_kind"] == "three_public"]
    if general:
        for figure in THREE_PUBLIC_FIGURES:
            if figure.startswith("three_public") and figure not in seen:
                line = general[0]["line"]
                rows.append((figure, 0.0, "three_public", line))  # empty cell in the table: zero
    if not frames["projects"].empty:
        first = frames["projects"].iloc[0]
        rows.append(("project_count", float(len(frames["projects"])), first["table_kind"], int(first["line"])))
    perf = frames["performance_budgets"]
    dept = perf[perf["scope"] == "department"]
    for label_re, figure in ((r"预算总额|资金总额", "performance_budget_total"),
                             (r"基本支出", "performance_budget_basic"),
                             (r"项目支出", "performance_budget_project")):
        hit = dept[dept["label"].str.contains(label_re, na=False)]
        if not hit.empty:
            rows.append((figure, float(hit.iloc[0]["amount_wan"]), "dept_performance", int(hit.iloc[0]["line"])))
    table_rows = pd.DataFrame(rows, columns=["figure", "value_wan", "table_kind", "line"])
    table_rows["source"] = "table"
    table_rows["evidence"] = None
    narr = narrative.assign(source="narrative", table_kind=None)
    out = pd.concat([table_rows, narr], ignore_index=True)
    out.insert(0, "doc_id", doc_id)
    return out[KEY_FIGURE_COLUMNS]


def document_row(meta: dict, doc: RawDocument, frames: dict[str, pd.DataFrame]) -> dict:
    kinds = [t.kind for t in doc.tables]
    return {
        **{k: meta.get(k, "") for k in DOCUMENT_META},
        "template_family": template_family(doc),
        "tables_found": ";".join(kinds),
        "toc_tables": ";".join(k for _, _, k in doc.toc),
        "tables_missing": ";".join(k for _, _, k in doc.toc if k not in kinds),
        "tables_empty": ";".join(t.kind for t in doc.tables if t.declared_empty),
        "title_inferred": ";".join(t.kind for t in doc.tables if t.title_inferred),
        "empty_page_lines": ";".join(str(n) for t in doc.tables for n in t.empty_pages),
        "n_budget_lines": len(frames["budget_lines"]), "n_economic_lines": len(frames["economic_lines"]),
        "n_projects": len(frames["projects"]), "n_indicators": len(frames["indicators"]),
        "n_unparsed": len(frames["unparsed"]),
    }


def template_family(doc: RawDocument) -> str:
    """Which provincial template the tables follow, told by the tables themselves."""
    titles = " ".join(t.title for t in doc.tables)
    kinds = {t.kind for t in doc.tables}
    header_cells = {squeeze(c) for t in doc.tables for r in t.rows[:4] for c in r.cells}
    if "功能分类预算表" in titles or "财务收支预算总表" in titles:
        return "shanghai"
    if "指标性质" in header_cells or "general_project" in kinds:
        return "sichuan"
    if {"成本指标", "产出指标", "效益指标"} <= header_cells or "其他运转类" in header_cells:
        return "henan"
    if "basic_econ" in kinds or "special_fund_performance" in kinds:
        return "shandong"
    return "unknown"


DOCUMENT_META = [
    "doc_id", "bureau_name", "province", "prefecture", "county", "admin_level", "fiscal_year",
    "amount_unit", "source_file", "sha256", "encoding", "metadata_inferred",
]
ROLE_COLUMNS = [f"{r}_wan" for r in amount_roles()]
BUDGET_COLUMNS = [
    "doc_id", "table_kind", "line", "side", "row_type", "name", "unit_code", "func_code",
    "func_level", "func_class", "func_kuan", "func_xiang", "code_repaired", "realigned", *ROLE_COLUMNS,
]
ECON_COLUMNS = [
    "doc_id", "table_kind", "line", "row_type", "econ_code", "econ_class", "econ_name",
    "gov_econ_code", "gov_econ_name", "expense_type", "unit_code", "code_inferred", "realigned",
    *ROLE_COLUMNS,
]
PROJECT_COLUMNS = [
    "doc_id", "table_kind", "line", "project_name", "project_name_raw", "project_type",
    "project_unit", "func_code", "unit_code", "project_code", "performance_name", "amount_wan",
    "realigned", *ROLE_COLUMNS,
]
PERF_BUDGET_COLUMNS = [
    "doc_id", "table_kind", "line", "scope", "project_name", "project_code", "project_type",
    "label", "amount_wan",
]
INDICATOR_COLUMNS = [
    "doc_id", "table_kind", "line", "scope", "project_name", "project_code", "level1", "level2",
    "indicator", "operator", "target_value", "target_high", "unit", "target_text", "weight",
    "direction", "note", "raw",
]
UNPARSED_COLUMNS = ["doc_id", "table_kind", "line", "column", "text", "reason"]
KEY_FIGURE_COLUMNS = ["doc_id", "figure", "source", "value_wan", "table_kind", "line", "evidence"]
TABLE_COLUMNS = [
    "doc_id", "table_kind", "title", "title_line", "first_line", "last_line", "unit", "n_rows", "roles",
    "page_break_lines", "empty_page_lines", "declared_empty", "title_inferred",
]
STATEMENT_COLUMNS = [
    "doc_id", "line", "evidence", "number_text", "kind", "subject", "scope", "value", "share_of", "func_names",
    "func_code", "project_name", "year", "check_status",
]
COLUMNS = {
    "tables": TABLE_COLUMNS, "narrative_statements": STATEMENT_COLUMNS, "findings": FINDING_COLUMNS,
    "budget_lines": BUDGET_COLUMNS, "economic_lines": ECON_COLUMNS, "projects": PROJECT_COLUMNS,
    "performance_budgets": PERF_BUDGET_COLUMNS,
    "unparsed": UNPARSED_COLUMNS, "key_figures": KEY_FIGURE_COLUMNS,
    "project_classes": CLASS_COLUMNS, "spending_profile": PROFILE_COLUMNS,
    "indicators": [("direction_printed" if c == "direction" else c) for c in INDICATOR_COLUMNS] + INDICATOR_NEW_COLUMNS,
    "indicator_summary": SUMMARY_COLUMNS,
}


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    """Records as a frame of exactly these columns (a column no record has is empty)."""
    return pd.DataFrame.from_records(records, columns=columns)


def discover(raw_dir: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """Documents of a folder with their doc_id, and one-line problems of the folder.

    A doc_id names output rows and report files, so it must be safe as a file name and unique even
    where case does not count (Excel joins, macOS and Windows folders): files that collide are all
    refused rather than one silently overwriting the other."""
    manifest = load_manifest(raw_dir)
    problems: list[str] = []
    # Hidden files (.DS_Store, .gitkeep) are the file system's, not documents.
    files = sorted(p for p in raw_dir.iterdir() if p.is_file() and p.name != MANIFEST and not p.name.startswith("."))
    by_id: dict[str, Path] = {}
    for path in files:
        if path.suffix != ".txt":
            problems.append(f"{path}: not a .txt file; raw documents are <doc_id>.txt")
            continue
        doc_id = path.stem
        if not DOC_ID_RE.match(doc_id):
            problems.append(f"{path}: doc_id '{doc_id}' has characters other than letters, digits, '-', '_', '.'")
            continue
        by_id[doc_id] = path
    folded: dict[str, list[str]] = {}
    for doc_id in by_id:
        folded.setdefault(doc_id.casefold(), []).append(doc_id)
    for same in (ids for ids in folded.values() if len(ids) > 1):
        names = ", ".join(by_id[d].name for d in same)
        problems.append(f"{raw_dir}: files {names} claim one doc_id (ids differ only by case); none is processed")
        for doc_id in same:
            del by_id[doc_id]
    for doc_id in manifest["doc_id"]:
        if not DOC_ID_RE.match(str(doc_id)):
            problems.append(f"{raw_dir / MANIFEST}: row '{doc_id}' has a doc_id with path or other characters")
        elif doc_id not in by_id and not any(doc_id.casefold() == key for key in folded if len(folded[key]) > 1):
            problems.append(f"{raw_dir / MANIFEST}: row '{doc_id}' names no file {doc_id}.txt")
    dupes = manifest["doc_id"][manifest["doc_id"].duplicated()].tolist()
    for doc_id in dupes:
        problems.append(f"{raw_dir / MANIFEST}: doc_id '{doc_id}' appears in more than one row")
    return sorted(by_id.items()), problems

