"""One document through every stage: read → split → clean → narrative → checks → analysis. Each step is a
call into its stage; nothing here parses or computes.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from helpers.analysis.indicators import enrich_indicators, summarize_indicators
from helpers.analysis.key_figures import key_figures
from helpers.analysis.profile import build_profile, check_profile, classify_projects
from helpers.checks.reconcile import reconcile
from helpers.checks.repeats import repeated_tables
from helpers.config import INTERIM_DIR
from helpers.errors import DocumentError, Problem
from helpers.frames import arranged, column_values, placed, records_frame, with_columns
from helpers.ingest.document import read_document
from helpers.ingest.layer import page_values
from helpers.ingest.metadata import document_metadata
from helpers.ingest.raw_text import RawText
from helpers.ingest.sources import DocumentSource
from helpers.narrative.statements import extract_narrative_statements
from helpers.pipeline.parts import Part
from helpers.schema import check_schema
from helpers.tables.kinds import classify_unknown_tables
from helpers.tables.names import attach_project_codes
from helpers.tables.read import read_tables
from helpers.tables.split import RawDocument, extract_document
from helpers.tables.survey import document_type, input_problems, template_family


@dataclass
class DocumentResult:
    doc_id: str
    unpaged: dict[str, pd.DataFrame] = field(default_factory=dict)  # the tables without their page columns
    pages: tuple[int | None, ...] | None = None  # the page of each line of the text (None: a text input)
    problems: list[Problem] = field(default_factory=list)  # of the input, one line each
    reuse_keys: list[bytes] = field(default_factory=list)  # of its indicators, row by row (pipeline.reuse)
    parts: dict[str, Part] = field(default_factory=dict)  # the frames as column arrays, once packed
    set_aside: bytes = b""  # once packed: the tables kept apart, with the reuse keys, as one pickle
    rows: dict[str, int] = field(default_factory=dict)  # each table's number of rows, once packed
    peak_mb: float = 0.0  # the peak memory of the process that made it, when it was done

    @cached_property
    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables, each row with its page (``PAGE_COLUMNS``), built when first asked for: a worker never asks,
        it packs the tables with their pages as column arrays (13 columns set in frames cost 4% of a document)."""
        return {name: paged_frame(frame, self.pages, PAGE_COLUMNS.get(name, {})) for name, frame in self.unpaged.items()}

    def pack(self, apart: tuple[str, ...] = ()) -> None:
        """The tables with their pages as column arrays (pipeline.parts), the form in which a result leaves its
        worker; the tables ``apart`` and the reuse keys pickled together (what the run's spill file holds of each
        document: the main process writes the bytes as they come, and never unpickles them until it reads them
        back)."""
        self.rows = {name: len(frame) for name, frame in self.unpaged.items()}
        self.parts = {name: paged_part(frame, self.pages, PAGE_COLUMNS.get(name, {}))
                      for name, frame in self.unpaged.items()}
        if apart:
            self.set_aside = pickle.dumps([*(self.parts.pop(name) for name in apart), self.reuse_keys],
                                          pickle.HIGHEST_PROTOCOL)
        self.unpaged = {}
        self.__dict__.pop("frames", None)

    def table(self, name: str) -> pd.DataFrame:
        return self.frames[name] if name in self.unpaged else self.parts[name].frame()

    def count(self, name: str) -> int:
        return self.rows[name] if name in self.rows else len(self.unpaged.get(name, []))


def process_document(doc_id: str, source: DocumentSource | Path, manifest: pd.DataFrame | dict[str, dict],
                     interim_dir: Path = INTERIM_DIR) -> DocumentResult:
    """All stages for one document (its raw files, or one file). Raises DocumentError with a one-line reason and the
    stage it arose in, whatever went wrong (an unexpected exception too)."""
    if isinstance(source, Path):
        source = DocumentSource(doc_id, (source,))
    stage = Stage()
    try:
        return _process(doc_id, source, manifest, interim_dir, stage)
    except DocumentError as exc:
        exc.stage = exc.stage or stage.name
        raise
    except Exception as exc:  # a bug or an input no stage foresaw: this document's error, not the run's
        raise DocumentError(f"unexpected {type(exc).__name__} in {stage.name}: {one_line(str(exc))}", stage.name) from exc


@dataclass
class Stage:
    name: str = "read"


def one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _process(doc_id: str, source: DocumentSource, manifest: pd.DataFrame | dict[str, dict], interim_dir: Path,
             stage: Stage) -> DocumentResult:
    raw = read_document(source, interim_dir)
    stage.name = "metadata"
    meta, meta_notes = document_metadata(doc_id, raw, manifest)
    stage.name = "tables"
    doc = extract_document(raw.text, raw.pages)
    classify_unknown_tables(doc.tables)
    if not doc.tables:
        raise DocumentError("no recognisable budget table found")
    if document_type(doc) == "final_account":
        raise DocumentError("a final account (决算), not a budget: reading 决算 is not supported yet")
    fiscal_year = int(meta["fiscal_year"]) if str(meta.get("fiscal_year", "")).isdigit() else None
    reading = read_tables(doc_id, doc, meta.get("amount_unit") or "万元", fiscal_year)
    frames = reading.frames
    frames["projects"] = attach_project_codes(frames["projects"], frames["performance_budgets"], frames["indicators"])
    stage.name = "narrative"
    statements = extract_narrative_statements(doc.narrative, fiscal_year)
    stage.name = "analysis"
    frames["key_figures"] = key_figures(doc_id, frames, reading.three_public, statements)
    document = document_row(meta, raw, doc, frames)  # its frame is built once, when the row is complete
    stage.name = "checks"
    # Every printed 三公 row (key_figures keeps one per figure) goes to the checks.
    printed = records_frame(reading.three_public, ["figure", "value_wan", "table_kind", "line", "scope", "total_row",
                                                   "blank", "declared_empty"])
    findings, statements, n_checks = reconcile(doc_id, frames, printed, statements, doc.toc, fiscal_year, raw.pages)
    frames["narrative_statements"] = arranged(statements, STATEMENT_COLUMNS, {"doc_id": [doc_id] * len(statements)})
    document["n_checks"] = n_checks
    stage.name = "analysis"
    frames["project_classes"] = classify_projects(frames["projects"], frames["budget_lines"])
    profile = build_profile(doc_id, {**frames, "findings": findings}, frames["project_classes"], doc.narrative)
    frames["spending_profile"], profile_findings = check_profile(doc_id, profile, raw.pages)
    frames["findings"] = findings = pd.concat([findings, profile_findings], ignore_index=True) \
        if len(profile_findings) else findings
    severities = column_values(findings, "severity").tolist()
    document["n_findings_error"], document["n_findings_warning"] = severities.count("error"), severities.count("warning")
    frames["indicators"] = enrich_indicators(frames["indicators"])
    frames["indicator_summary"] = summarize_indicators(frames["indicators"], frames["projects"],
                                                       frames["performance_budgets"])
    file = str(source.path)
    problems = [*(Problem(severity, file, message, "read", doc_id) for severity, message in raw.problems),
                *(Problem(severity, file, message, "metadata", doc_id) for severity, message in meta_notes),
                *(Problem(severity, file, message, "tables", doc_id) for severity, message in
                  input_problems(doc, frames["unparsed"], bool(meta.get("metadata_inferred")))),
                *(Problem("error", file, message, "checks", doc_id) for message in repeated_tables(doc))]
    document["problems"] = "; ".join(f"{p.severity}: {p.message}" for p in problems)
    frames["documents"] = records_frame([document], list(document))
    stage.name = "write"
    # Checked here, one document at a time: a value the files cannot hold fails this document, not the whole run
    # (the page columns are made as the files hold them).
    for name, frame in frames.items():
        check_schema(frame, name)
    return DocumentResult(doc_id, frames, raw.pages, problems)


# Where the page of each row goes: table → {its line column: the page column added after it}.
PAGE_COLUMNS = {
    **{name: {"line": "page"} for name in ("budget_lines", "economic_lines", "projects", "performance_budgets",
                                           "indicators", "unparsed", "key_figures", "narrative_statements",
                                           "project_classes", "spending_profile")},
    "indicator_summary": {"first_line": "first_page"}, "tables": {"title_line": "page", "last_line": "last_page"},
}


def paged_frame(frame: pd.DataFrame, pages: tuple[int | None, ...] | None,
                placed_pages: dict[str, str]) -> pd.DataFrame:
    """The frame with the PDF page of every row, from the page of its line in the text layer (empty for text
    inputs): ``placed_pages`` maps each line column to the page column that follows it."""
    if not placed_pages:
        return frame
    return with_columns(frame, {page: page_values(pages, column_values(frame, line))
                                for line, page in placed_pages.items()},
                        after={page: line for line, page in placed_pages.items()})


def paged_part(frame: pd.DataFrame, pages: tuple[int | None, ...] | None, placed_pages: dict[str, str]) -> Part:
    """``Part.of(paged_frame(frame, pages, placed_pages))``, with no frame built: the page columns join the column
    arrays, in the order ``frames.placed`` gives."""
    part = Part.of(frame)
    arrays = dict(zip(part.columns, part.arrays, strict=True))
    order = placed(list(part.columns), list(placed_pages.values()), {p: line for line, p in placed_pages.items()})
    arrays.update((page, page_values(pages, arrays[line])) for line, page in placed_pages.items())
    return Part(tuple(order), tuple(arrays[c] for c in order), part.rows)


def document_row(meta: dict, raw: RawText, doc: RawDocument, frames: dict[str, pd.DataFrame]) -> dict:
    kinds = [t.kind for t in doc.tables]
    return {
        **{k: meta.get(k, "") for k in DOCUMENT_META},
        "input_format": "+".join(dict.fromkeys(p.kind for p in raw.parts)),
        "source_pages": ";".join(p.label() for p in raw.parts),
        "n_pages": sum((p.last_page or 0) - (p.first_page or 1) + 1 for p in raw.parts if p.first_page),
        "scanned_pages": " ".join(str(n) for p in raw.parts for n in p.scanned_pages),
        "text_layer": raw.layer_file,
        "template_family": template_family(doc),
        "document_type": document_type(doc),
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


DOCUMENT_META = [
    "doc_id", "bureau_name", "province", "prefecture", "county", "admin_level", "fiscal_year",
    "amount_unit", "source_file", "sha256", "encoding", "metadata_inferred",
]
STATEMENT_COLUMNS = [
    "doc_id", "line", "evidence", "number_text", "kind", "subject", "scope", "value", "share_of", "func_names",
    "func_code", "project_name", "year", "check_status",
]
