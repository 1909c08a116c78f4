"""The reading stages of one document, timed stage by stage on a synthetic corpus: CPU seconds per stage over the
corpus, min / median over several runs.

    .venv/bin/python bench/bench_read.py [--n 60] [--repeat 5] [--corpus DIR]

The stages are the calls src/helpers/pipeline/document.py makes before the checks: read_document, document_metadata,
extract_document (with classify_unknown_tables), read_tables, attach_project_codes, extract_narrative_statements and
add_pages (the page columns of the tables read). The corpus is a fresh `python -m helpers synth --n N` (perturbed
copies of data/raw) unless --corpus names one. To compare two versions, run it with PYTHONPATH=OTHER/src too.
Printed as a Markdown table (not committed).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from helpers.ingest.document import read_document
from helpers.ingest.layer import add_pages
from helpers.ingest.manifest import read_manifest
from helpers.ingest.metadata import document_metadata
from helpers.ingest.sources import DocumentSource, discover
from helpers.narrative.statements import extract_narrative_statements
from helpers.tables.kinds import classify_unknown_tables
from helpers.tables.names import attach_project_codes
from helpers.tables.read import read_tables
from helpers.tables.split import extract_document

STAGES = ["read_document", "document_metadata", "extract_document", "read_tables", "attach_project_codes",
          "extract_narrative_statements", "add_pages"]


def read_corpus(corpus: Path, interim: Path) -> dict[str, float]:
    """CPU seconds of each stage over every document of the corpus."""
    manifest, _ = read_manifest(corpus)
    sources, _ = discover(corpus, manifest)
    seconds = dict.fromkeys(STAGES, 0.0)

    def timed(stage: str, call: Callable):
        start = time.process_time()
        result = call()
        seconds[stage] += time.process_time() - start
        return result

    for source in sources:
        read_one(source, manifest, interim, timed)
    return seconds


def read_one(source: DocumentSource, manifest, interim: Path, timed: Callable) -> None:
    raw = timed("read_document", lambda: read_document(source, interim))
    meta, _ = timed("document_metadata", lambda: document_metadata(source.doc_id, raw, manifest))
    doc = timed("extract_document", lambda: extract_document(raw.text, raw.pages))
    timed("extract_document", lambda: classify_unknown_tables(doc.tables))
    year = int(meta["fiscal_year"]) if str(meta.get("fiscal_year", "")).isdigit() else None
    frames = timed("read_tables", lambda: read_tables(source.doc_id, doc, meta.get("amount_unit") or "万元", year)).frames
    timed("attach_project_codes",
          lambda: attach_project_codes(frames["projects"], frames["performance_budgets"], frames["indicators"]))
    timed("extract_narrative_statements", lambda: extract_narrative_statements(doc.narrative, year))
    for name, frame in frames.items():
        line = "title_line" if name == "tables" else "line"
        timed("add_pages", lambda frame=frame, line=line: add_pages(frame, raw.pages, line))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp) / "corpus"
        if args.corpus is None:
            subprocess.run([sys.executable, "-m", "helpers", "synth", "--n", str(args.n), "--out-dir", str(corpus)],
                           capture_output=True, check=True)
        runs = [read_corpus(corpus, Path(tmp) / "interim") for _ in range(args.repeat)]
    print(f"| stage ({corpus.name}, {args.repeat} runs) | min s | median s |\n|---|---:|---:|")
    for stage in [*STAGES, "total"]:
        values = [sum(r.values()) if stage == "total" else r[stage] for r in runs]
        print(f"| {stage} | {min(values):.3f} | {statistics.median(values):.3f} |")


if __name__ == "__main__":
    main()
