"""A folder of documents through the pipeline into a folder of tables, swapped in whole or not at all.

A run holds the output folder's lock, writes every table into a fresh folder beside it, writes the run's manifest
(``_run.json``: every file with its size and sha256) last, and only then swaps the new folder in. A run that is killed,
interrupted, or fails (a full or read-only disk, a manifest that cannot be read) leaves the previous outputs whole;
what a killed run leaves beside them is cleared by the next. Each document's failure is that document's one line in
the ``problems`` table, and every other document is written.
"""
from __future__ import annotations

import pickle
import shutil
import signal
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from helpers.analysis.compare import build_comparison, indicator_columns
from helpers.analysis.indicators import recount_reused
from helpers.checks.repeats import same_content
from helpers.config import INTERIM_DIR
from helpers.errors import DocumentError, Problem
from helpers.fsio import FolderLock, OutputError, clear_staging, describe_os_error, replace_folder, staging_folder
from helpers.ingest.manifest import read_manifest
from helpers.ingest.sources import discover
from helpers.pipeline import export
from helpers.pipeline.document import DocumentResult
from helpers.pipeline.executor import Executor, ExecutorError, LocalExecutor, ProcessApart, make_executor
from helpers.pipeline.export import EXPORT_FILES, Database, write_exports
from helpers.pipeline.interrupts import INTERRUPTED_BASE, Interrupted, signals_interrupt
from helpers.pipeline.memory import imports_set_aside, peak_memory_mb, release_free_memory
from helpers.pipeline.outputs import RUN_MANIFEST, RUN_TABLES, TABLE_NAMES, Hashed, columns_of, hash_files, write_run_manifest
from helpers.pipeline.parts import Part, join
from helpers.pipeline.reuse import ReuseCount
from helpers.pipeline.workers import Extraction, extract_all, process_all
from helpers.pipeline.writer import DOCUMENT_TABLES, DOCUMENTS_PER_FLUSH, TableWriter, write_table_files

KEPT_FILES = (".gitkeep",)  # files of the output folder that are not outputs but belong there (git keeps the folder)


@dataclass
class CorpusRun:
    n_documents: int = 0
    problems: list[Problem] = field(default_factory=list)
    extraction: Extraction = field(default_factory=Extraction)
    workers_mb: float = 0.0  # the largest peak memory a worker reported with a result (this process with one job)
    database_mb: float = 0.0  # the peak memory of the database's process
    hashed: Hashed = field(default_factory=dict)  # the manifest entries of the files finished before the database


def run_process(raw_dir: Path, out_dir: Path, jobs: int = 1, interim_dir: Path = INTERIM_DIR, executor: str = "local",
                scheduler: str | None = None, workbook: bool = False) -> int:
    """Process every document of raw_dir into out_dir, on local worker processes (``jobs``) or a Dask cluster
    (``executor="dask"``, ``scheduler`` its address), with the Excel workbook when asked; 0 when no problem is an
    error, 1 otherwise (130 or 143 when interrupted). Every message is one line."""
    start = time.perf_counter()
    if not raw_dir.is_dir():
        print(f"error: {raw_dir}: not a folder", file=sys.stderr)
        return 1
    kept = f"{out_dir} left as it was"
    try:
        with (FolderLock(out_dir), signals_interrupt() as stop_if_signalled,
              closing(make_executor(executor, jobs, scheduler)) as runner):
            clear_staging(out_dir)
            _check_replaceable(out_dir)
            staged = staging_folder(out_dir)
            try:
                run = process_corpus(raw_dir, staged, runner, interim_dir, workbook)
                for name in KEPT_FILES:
                    if (out_dir / name).is_file():
                        shutil.copy2(out_dir / name, staged / name)
                write_run_manifest(staged, run.hashed)
                stop_if_signalled()
                replace_folder(staged, out_dir)
            finally:
                shutil.rmtree(staged, ignore_errors=True)  # nothing left after the swap; the partial run otherwise
    except DocumentError as exc:  # the folder as a whole cannot be read (its manifest)
        print(f"error: {exc}; {kept}", file=sys.stderr)
        return 1
    except (OutputError, ExecutorError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {describe_os_error(exc, out_dir)}; {kept}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Interrupted) as exc:
        print(f"error: interrupted; {kept}", file=sys.stderr)
        return INTERRUPTED_BASE + getattr(exc, "signum", signal.SIGINT)
    except Exception as exc:  # a fault of the run as a whole (every document's own is caught where it arose)
        print(f"error: unexpected {type(exc).__name__}: {' '.join(str(exc).split())}; {kept}", file=sys.stderr)
        return 1
    errors = sum(p.severity == "error" for p in run.problems)
    seconds = time.perf_counter() - start
    if run.extraction.files:
        print(run.extraction.line(interim_dir), file=sys.stderr)
    where = f"{jobs} jobs" if executor == "local" else f"{executor} {scheduler}"
    print(f"{run.n_documents} documents processed, {errors} problems, {seconds:.1f} s "
          f"({_rate(run.n_documents / seconds)} documents/s, {where}, peak memory {peak_memory_mb():.0f} MB, "
          f"workers {run.workers_mb:.0f} MB, database {run.database_mb:.0f} MB) → {out_dir}")
    return 1 if errors else 0


def _rate(per_second: float) -> str:
    return f"{per_second:.0f}" if per_second >= 10 else f"{per_second:.2g}"  # PDFs: 0.24, not 0


def _check_replaceable(out_dir: Path) -> None:
    """Refuse an output folder that holds anything but a run's outputs: the swap would delete it."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: not a folder")
    if not out_dir.exists() or (out_dir / RUN_MANIFEST).is_file():
        return
    ours = {f"{name}.{ext}" for name in [*TABLE_NAMES, *RUN_TABLES] for ext in ("csv", "parquet")} | set(EXPORT_FILES)
    foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in ours and not (p.is_file() and p.name[0] == "."))
    if foreign:
        raise OutputError(f"{out_dir}: holds files that are not outputs of a run ({', '.join(foreign[:3])}"
                          f"{' …' if len(foreign) > 3 else ''}); the run replaces the whole folder: give an empty or "
                          "new --out-dir")


def process_corpus(raw_dir: Path, out_dir: Path, executor: Executor | int = 1,
                   interim_dir: Path = INTERIM_DIR, workbook: bool = False) -> CorpusRun:
    """Every document of raw_dir into the tables of out_dir (a staged folder); every problem printed as found.

    Memory stays flat in the number of documents: each document's tables go to the writer as they come (flushed
    every few documents), and the two tables that wait for the whole corpus (indicator reuse across documents) wait
    on disk, in a spill file, while only a count per reuse key stays in memory."""
    run = CorpusRun()
    manifest, problems = read_manifest(raw_dir)
    documents, folder_problems = discover(raw_dir, manifest)
    for problem in [*problems, *folder_problems]:
        _report(run, problem)
    own = isinstance(executor, int)
    runner = LocalExecutor(executor) if own else executor
    writer = TableWriter(out_dir)
    reuse = ReuseCount()
    files, digests = {}, []
    # An unlinked temporary file: gone with the run whatever happens, never among the outputs. The database is
    # built apart (export.Database): what DuckDB holds while it loads is never part of this process's memory. The
    # objects of the imports are left out of garbage collection meanwhile, here and in the workers forked from here.
    with tempfile.TemporaryFile(dir=out_dir) as spill, ProcessApart(export.__name__) as apart, imports_set_aside():
        try:
            run.extraction = extract_all(documents, runner, interim_dir)
            with closing(process_all(documents, manifest, runner, interim_dir)) as outcomes:
                for source, result, error in outcomes:
                    if error is not None:
                        _report(run, Problem("error", str(source.path), str(error), error.stage or "read",
                                             source.doc_id))
                        continue
                    print(summary_line(result))  # kept even with problems: nothing read is dropped
                    for problem in result.problems:
                        _report(run, problem)
                    writer.add_document(result.parts)
                    reuse.add(result.reuse_keys)
                    spill.write(result.set_aside)  # the parts of CORPUS_TABLES and the keys, pickled
                    run.n_documents += 1
                    run.workers_mb = max(run.workers_mb, result.peak_mb)
                    files[result.doc_id] = str(source.path)
                    digests.append((result.doc_id, str(result.parts["documents"].column("sha256")[0])))
        finally:
            if own:
                runner.close()
        for doc_id, message in same_content(digests).items():
            _report(run, Problem("error", files[doc_id], message, "corpus", doc_id))
        # The tables complete once every document is in go to the database while the corpus-wide ones are written.
        writer.close(DOCUMENT_TABLES)
        with Database(out_dir, apart) as database:
            database.add(DOCUMENT_TABLES)
            counts = replay_corpus_tables(spill, run.n_documents, reuse, writer)
            writer.add_document({"problems": Part.of(problems_frame(run.problems))})
            writer.close()
            release_free_memory()  # the last batches' frames, before the comparison reads its tables
            write_comparison(out_dir, counts)
            write_exports(out_dir, writer.digests.result(), database, workbook)
            run.hashed = hash_files(out_dir)  # while the database loads its last tables
            run.database_mb = database.finish()
    return run


def _report(run: CorpusRun, problem: Problem) -> None:
    print(problem.line(), file=sys.stderr)
    run.problems.append(problem)


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    rows = [{"doc_id": p.doc_id, "file": p.file, "stage": p.stage, "severity": p.severity, "message": p.message}
            for p in problems]
    return pd.DataFrame(rows, columns=columns_of("problems"))


def replay_corpus_tables(spill: BinaryIO, n_documents: int, reuse: ReuseCount, writer: TableWriter) -> pd.DataFrame:
    """The tables that waited for the whole corpus (indicator reuse over every document), read back from the spill
    file and written in batches of documents; returns the comparison's indicator columns, counted batch by batch
    (the largest table is never held whole)."""
    spill.seek(0)
    counts = []
    for start in range(0, n_documents, DOCUMENTS_PER_FLUSH):
        batch = [pickle.load(spill) for _ in range(min(DOCUMENTS_PER_FLUSH, n_documents - start))]
        indicators = reuse.counted(join([b[0] for b in batch]), [key for b in batch for key in b[2]])
        summary = join([b[1] for b in batch])
        if not summary.empty:
            summary = recount_reused(summary, indicators)
        writer.add_document({"indicators": Part.of(indicators), "indicator_summary": Part.of(summary)}, len(batch))
        counts.append(indicator_columns(indicators, summary))
    counts = [c for c in counts if not c.empty]
    return pd.concat(counts) if counts else pd.DataFrame()


def write_comparison(out_dir: Path, indicators: pd.DataFrame | None = None) -> None:
    """The comparison table, built from the files just written (what a researcher's own analysis would read) and
    the indicator columns counted as the indicators were written."""
    comparison = build_comparison(out_dir, indicators)
    write_table_files(comparison, out_dir, "comparison")


def summary_line(result: DocumentResult) -> str:
    doc = result.parts["documents"]
    found = doc.column("tables_found")[0]
    kinds = found.split(";") if found else []
    return (
        f"{result.doc_id}: {len(kinds)} tables ({doc.column('template_family')[0]}), "
        f"{result.count('budget_lines')} budget lines, {result.count('economic_lines')} economic lines, "
        f"{result.count('projects')} projects, {result.count('indicators')} indicators, "
        f"{result.count('unparsed')} cells unparsed"
    )
