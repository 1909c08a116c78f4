"""A folder of documents through the pipeline: documents in worker processes, results in document order,
tables written as they come, indicator reuse counted over the corpus, the comparison table last.
"""
from __future__ import annotations

import resource
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import accumulate, islice
from pathlib import Path

import pandas as pd

from helpers.analysis.compare import build_comparison
from helpers.analysis.indicators import count_reuse, recount_reused
from helpers.config import INTERIM_DIR
from helpers.errors import DocumentError
from helpers.ingest.manifest import load_manifest
from helpers.ingest.sources import DocumentSource, discover
from helpers.pipeline.document import DocumentResult, process_document
from helpers.pipeline.export import write_exports
from helpers.pipeline.outputs import TABLE_NAMES
from helpers.pipeline.writer import CORPUS_TABLES, TableWriter


def run_process(raw_dir: Path, out_dir: Path, jobs: int = 1, interim_dir: Path = INTERIM_DIR) -> int:
    start = time.perf_counter()
    if not raw_dir.is_dir():
        print(f"error: {raw_dir}: not a folder", file=sys.stderr)
        return 1
    try:
        manifest = load_manifest(raw_dir)
        documents, problems = discover(raw_dir, manifest)
    except DocumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    kept: list[DocumentResult] = []  # only the tables that need the whole corpus before they are written
    failed = len(problems)
    writer = TableWriter(out_dir)
    pages = [0, 0, 0.0]  # PDF pages extracted, read from the cache, seconds of extraction
    for path, result, error in _process_all(documents, manifest, jobs, interim_dir):
        if error:
            print(f"error: {path}: {error}", file=sys.stderr)
            failed += 1
            continue
        print(summary_line(result))  # kept even with problems: nothing read is dropped
        pages = [pages[0] + result.pages_extracted, pages[1] + result.pages_cached, pages[2] + result.extract_seconds]
        for severity, message in result.problems:
            print(f"{severity}: {path}: {message}", file=sys.stderr)
        failed += any(severity == "error" for severity, _ in result.problems)
        for name in TABLE_NAMES:
            if name not in CORPUS_TABLES:
                writer.add(name, result.frames[name])
        kept.append(DocumentResult(result.doc_id, {name: result.frames[name] for name in CORPUS_TABLES}))
    count_reuse_across(kept)
    for result in kept:
        for name in CORPUS_TABLES:
            writer.add(name, result.frames[name])
    writer.close()
    write_comparison(out_dir)
    write_exports(out_dir)  # workbook, database, per-document digests for the reports
    seconds = time.perf_counter() - start
    main_mb, workers_mb = peak_memory_mb()
    if pages[0] or pages[1]:
        rate = f", {pages[0] / pages[2]:.1f} pages/s per worker" if pages[2] else ""
        print(f"PDF: {pages[0]} pages extracted in {pages[2]:.1f} s{rate}; {pages[1]} pages read from the cache "
              f"({interim_dir})")
    print(f"{len(kept)} documents processed, {failed} problems, {seconds:.1f} s ({len(kept) / seconds:.0f} documents/s, "
          f"{jobs} jobs, peak memory {main_mb:.0f} MB, workers {workers_mb:.0f} MB) → {out_dir}")
    return 1 if failed else 0


_MANIFEST: pd.DataFrame | None = None  # of this process: set once per worker, not pickled with every task
_INTERIM: Path = INTERIM_DIR


def _use_manifest(manifest: pd.DataFrame, interim_dir: Path = INTERIM_DIR) -> None:
    global _MANIFEST, _INTERIM
    _MANIFEST, _INTERIM = manifest, interim_dir


def _process_one(source: DocumentSource) -> tuple[Path, DocumentResult | None, str | None]:
    """One document, its failure turned into a one-line message (no traceback)."""
    path = source.path
    try:
        return path, process_document(source.doc_id, source, _MANIFEST, _INTERIM), None
    except DocumentError as exc:
        return path, None, str(exc)
    except Exception as exc:  # one bad document must not stop the others
        return path, None, f"unexpected {type(exc).__name__}: {exc}"


IN_FLIGHT_PER_JOB = 4  # enough queued work to keep every worker busy while the writer catches up


def _process_all(documents: list[DocumentSource], manifest: pd.DataFrame, jobs: int,
                 interim_dir: Path = INTERIM_DIR) -> Iterator[tuple[Path, DocumentResult | None, str | None]]:
    """Results in document order, whatever the number of worker processes (so the bytes written do not depend on it)."""
    # One manifest object per process: document_metadata indexes it once, instead of once per unpickled copy.
    _use_manifest(manifest, interim_dir)
    if jobs <= 1 or len(documents) <= 1:
        yield from map(_process_one, documents)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_use_manifest,
                             initargs=(manifest, interim_dir)) as pool:
        # A bounded window of documents in flight, not pool.map's all-at-once: results the writer has not taken
        # yet would otherwise pile up in memory as the corpus grows.
        tasks = iter(documents)
        pending = deque(pool.submit(_process_one, task) for task in islice(tasks, IN_FLIGHT_PER_JOB * jobs))
        while pending:
            yield pending.popleft().result()
            for task in islice(tasks, 1):
                pending.append(pool.submit(_process_one, task))


def peak_memory_mb() -> tuple[float, float]:
    """Largest resident size of this process and of its largest finished worker, in MB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, workers / 1024


def write_comparison(out_dir: Path) -> None:
    """The comparison table, built from the files just written (what a researcher's own analysis would read)."""
    comparison = build_comparison(out_dir)
    comparison.to_csv(out_dir / "comparison.csv", index=False, encoding="utf-8-sig")
    comparison.to_parquet(out_dir / "comparison.parquet", index=False)


def summary_line(result: DocumentResult) -> str:
    doc = result.frames["documents"].iloc[0]
    kinds = doc["tables_found"].split(";") if doc["tables_found"] else []
    return (
        f"{result.doc_id}: {len(kinds)} tables ({doc['template_family']}), "
        f"{result.count('budget_lines')} budget lines, {result.count('economic_lines')} economic lines, "
        f"{result.count('projects')} projects, {result.count('indicators')} indicators, "
        f"{result.count('unparsed')} cells unparsed"
    )


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
