"""How well a corpus reads: ``python -m helpers audit [--raw-dir DIR] [--jobs N] [--csv FILE]``.

Every document of the folder goes through the pipeline (nothing is written but the interim text layers); one line
per document says its template and type, the tables found against those its contents list (and how many were
recognised by their content), the key figures found in the tables and whether the narrative agrees with them, the
identities checked and failed, the cells left unparsed and the errors by cause; a last line sums up the corpus.
"""
from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from helpers.analysis.key_figures import EXPECTED
from helpers.config import INTERIM_DIR
from helpers.errors import DocumentError
from helpers.ingest.manifest import load_manifest
from helpers.ingest.sources import discover
from helpers.pipeline.document import DocumentResult
from helpers.pipeline.workers import process_all

TOLERANCE_WAN = 0.005  # tables print 0.01 万元


@dataclass
class AuditRow:
    doc_id: str
    template: str = ""
    document_type: str = ""
    tables: int = 0
    tables_listed: int = 0
    tables_missing: int = 0
    tables_by_content: int = 0
    figures_found: int = 0
    figures_expected: int = len(EXPECTED)
    narrative_compared: int = 0
    narrative_agree: int = 0
    checks: int = 0
    errors_document: int = 0
    errors_extraction: int = 0
    warnings: int = 0
    unparsed: int = 0
    problem: str = ""

    def line(self) -> str:
        if self.problem and not self.tables:
            return f"{self.doc_id}: FAILED — {self.problem}"
        return (f"{self.doc_id}: {self.template}, {self.document_type}; tables {self.tables} (contents list "
                f"{self.tables_listed}, {self.tables_missing} missing, {self.tables_by_content} by content); "
                f"key figures {self.figures_found}/{self.figures_expected} in tables, narrative agrees "
                f"{self.narrative_agree}/{self.narrative_compared}; identities {self.checks} checked, "
                f"{self.errors_document + self.errors_extraction} fail ({self.errors_document} as printed, "
                f"{self.errors_extraction} extraction); {self.warnings} warnings; {self.unparsed} cells unparsed"
                + (f"; {self.problem}" if self.problem else ""))


def audit_row(result: DocumentResult) -> AuditRow:
    doc = result.table("documents").iloc[0]
    tables = result.table("tables")
    findings = result.table("findings")
    errors = findings[findings["severity"] == "error"]
    kf = result.table("key_figures")
    table = kf[(kf["source"] == "table") & kf["value_wan"].notna()]
    narrative = kf[(kf["source"] == "narrative") & kf["value_wan"].notna()]
    both = table.drop_duplicates("figure").merge(narrative.drop_duplicates("figure"), on="figure",
                                                 suffixes=("_table", "_narrative"))
    agree = (both["value_wan_table"] - both["value_wan_narrative"]).abs() <= TOLERANCE_WAN
    listed = [k for k in str(doc["toc_tables"] or "").split(";") if k]
    missing = [k for k in str(doc["tables_missing"] or "").split(";") if k]
    return AuditRow(
        doc_id=result.doc_id, template=str(doc["template_family"]), document_type=str(doc["document_type"]),
        tables=len(tables), tables_listed=len(listed), tables_missing=len(missing),
        tables_by_content=int((tables["kind_source"] == "content").sum()),
        figures_found=len(set(table["figure"]) & set(EXPECTED)),
        narrative_compared=len(both), narrative_agree=int(agree.sum()), checks=int(doc["n_checks"]),
        errors_document=int((errors["cause"] == "document").sum()),
        errors_extraction=int((errors["cause"] == "extraction").sum()),
        warnings=int((findings["severity"] == "warning").sum()), unparsed=result.count("unparsed"),
        problem="; ".join(p.message for p in result.problems),
    )


def audit(raw_dir: Path, jobs: int = 1, interim_dir: Path = INTERIM_DIR, csv_path: Path | None = None) -> int:
    start = time.perf_counter()
    try:
        manifest = load_manifest(raw_dir)
        sources, problems = discover(raw_dir, manifest)
    except (DocumentError, OSError) as exc:
        print(f"error: {raw_dir}: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    rows: list[AuditRow] = []
    for source, result, error in process_all(sources, manifest, jobs, interim_dir):
        row = audit_row(result) if result is not None else AuditRow(source.doc_id, problem=str(error))
        rows.append(row)
        print(row.line(), flush=True)
    frame = pd.DataFrame([asdict(r) for r in rows])
    if csv_path is not None:
        frame.to_csv(csv_path, index=False, encoding="utf-8-sig")
    print(summary_line(frame, time.perf_counter() - start))
    return 1 if problems or (not frame.empty and (frame["tables"] == 0).any()) else 0


def summary_line(frame: pd.DataFrame, seconds: float) -> str:
    if frame.empty:
        return "0 documents"
    failed = int((frame["tables"] == 0).sum())
    total = frame.sum(numeric_only=True)
    return (f"{len(frame)} documents, {failed} failed; tables {int(total['tables'])} ({int(total['tables_missing'])} "
            f"listed but missing, {int(total['tables_by_content'])} by content); key figures "
            f"{int(total['figures_found'])}/{int(total['figures_expected'])} in tables; narrative agrees "
            f"{int(total['narrative_agree'])}/{int(total['narrative_compared'])}; identities "
            f"{int(total['checks'])} checked, {int(total['errors_document'] + total['errors_extraction'])} fail "
            f"({int(total['errors_document'])} as printed, {int(total['errors_extraction'])} extraction); "
            f"{int(total['unparsed'])} cells unparsed; {seconds:.1f} s")
