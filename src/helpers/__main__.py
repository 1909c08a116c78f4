"""Command line: python -m helpers process [--raw-dir DIR] [--out-dir DIR] [--jobs J] | reports | synth --n N --out-dir DIR
| mutate [--n N] [--seed S] [--out CSV]."""
from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import TextIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from helpers import mutation, reports
from helpers.compare import build_comparison
from helpers.config import PROCESSED_DIR, RAW_DIR
from helpers.io_raw import DocumentError, load_manifest
from helpers.pipeline import COLUMNS, SORT_KEYS, TABLE_NAMES, DocumentResult, count_reuse_across, discover, process_document
from helpers.schema import apply_schema
from helpers.synth import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers")
    sub = parser.add_subparsers(dest="command", required=True)
    process = sub.add_parser("process", help="extract, clean and write every document of a folder")
    process.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    process.add_argument("--out-dir", type=Path, default=PROCESSED_DIR)
    process.add_argument("--jobs", type=int, default=1, help="worker processes (documents are independent)")
    synth = sub.add_parser("synth", help="write a synthetic corpus of N perturbed copies of the bundled documents")
    synth.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    synth.add_argument("--out-dir", type=Path, required=True)
    synth.add_argument("--n", type=int, default=200)
    synth.add_argument("--seed", type=int, default=1)
    mutate = sub.add_parser("mutate", help="change single amounts of copies and report the share the findings catch")
    mutate.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    mutate.add_argument("--n", type=int, default=200, help="number of mutations")
    mutate.add_argument("--seed", type=int, default=1)
    mutate.add_argument("--out", type=Path, help="CSV of every mutation and its outcome")
    reports_parser = sub.add_parser("reports", help="process if the raw files changed, then build the HTML reports")
    reports.add_arguments(reports_parser)
    args = parser.parse_args(argv)
    if args.command == "reports":
        return reports.run(args)
    if args.command == "mutate":
        return mutation.report(args.raw_dir, args.n, args.seed, args.out)
    if args.command == "synth":
        manifest = generate(args.raw_dir, args.out_dir, args.n, args.seed)
        print(f"{len(manifest)} synthetic documents → {args.out_dir}")
        return 0
    return run_process(args.raw_dir, args.out_dir, args.jobs)


def run_process(raw_dir: Path, out_dir: Path, jobs: int = 1) -> int:
    start = time.perf_counter()
    if not raw_dir.is_dir():
        print(f"error: {raw_dir}: not a folder", file=sys.stderr)
        return 1
    try:
        manifest = load_manifest(raw_dir)
        documents, problems = discover(raw_dir)
    except DocumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    kept: list[DocumentResult] = []  # only the tables that need the whole corpus before they are written
    failed = len(problems)
    writer = TableWriter(out_dir)
    for path, result, error in _process_all(documents, manifest, jobs):
        if error:
            print(f"error: {path}: {error}", file=sys.stderr)
            failed += 1
            continue
        print(summary_line(result))  # kept even with problems: nothing read is dropped
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
    seconds = time.perf_counter() - start
    main_mb, workers_mb = peak_memory_mb()
    print(f"{len(kept)} documents processed, {failed} problems, {seconds:.1f} s ({len(kept) / seconds:.0f} documents/s, "
          f"{jobs} jobs, peak memory {main_mb:.0f} MB, workers {workers_mb:.0f} MB) → {out_dir}")
    return 1 if failed else 0


_MANIFEST: pd.DataFrame | None = None  # of this process: set once per worker, not pickled with every task


def _use_manifest(manifest: pd.DataFrame) -> None:
    global _MANIFEST
    _MANIFEST = manifest


def _process_one(task: tuple[str, Path]) -> tuple[Path, DocumentResult | None, str | None]:
    """One document, its failure turned into a one-line message (no traceback)."""
    doc_id, path = task
    try:
        return path, process_document(doc_id, path, _MANIFEST), None
    except DocumentError as exc:
        return path, None, str(exc)
    except Exception as exc:  # one bad document must not stop the others
        return path, None, f"unexpected {type(exc).__name__}: {exc}"


IN_FLIGHT_PER_JOB = 4  # enough queued work to keep every worker busy while the writer catches up


def _process_all(documents: list[tuple[str, Path]], manifest: pd.DataFrame,
                 jobs: int) -> Iterator[tuple[Path, DocumentResult | None, str | None]]:
    """Results in document order, whatever the number of worker processes (so the bytes written do not depend on it)."""
    # One manifest object per process: document_metadata indexes it once, instead of once per unpickled copy.
    _use_manifest(manifest)
    if jobs <= 1 or len(documents) <= 1:
        yield from map(_process_one, documents)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_use_manifest, initargs=(manifest,)) as pool:
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


# Indicator reuse is counted over all documents: these tables are written once every document is in.
CORPUS_TABLES = ("indicators", "indicator_summary")
ROW_GROUP_ROWS = 20_000  # rows buffered per table before they are written: memory stays flat with the corpus


class TableWriter:
    """One CSV (UTF-8 with BOM, for Excel) and one Parquet file per tidy table, appended document by document.

    Documents arrive in doc_id order and each one's rows are sorted by line, so the files hold the rows in the
    order one global sort would give; every part is cast to the data dictionary's types, so all parts share a schema."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.buffers: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLE_NAMES}
        self.buffered = dict.fromkeys(TABLE_NAMES, 0)
        self.csv: dict[str, TextIO] = {}
        self.parquet: dict[str, pq.ParquetWriter] = {}

    def add(self, name: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        self.buffers[name].append(frame)
        self.buffered[name] += len(frame)
        if self.buffered[name] >= ROW_GROUP_ROWS:
            self._flush(name)

    def _flush(self, name: str) -> None:
        parts, self.buffers[name], self.buffered[name] = self.buffers[name], [], 0
        frame = apply_schema(pd.concat(parts, ignore_index=True), name)
        keys = SORT_KEYS.get(name, [c for c in ("doc_id", "line") if c in frame])
        self._write(name, frame.sort_values(keys, kind="stable").reset_index(drop=True))

    def _write(self, name: str, frame: pd.DataFrame) -> None:
        first = name not in self.csv
        if first:
            self.csv[name] = (self.out_dir / f"{name}.csv").open("w", encoding="utf-8-sig", newline="")
        frame.to_csv(self.csv[name], index=False, header=first)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if name not in self.parquet:
            self.parquet[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet", table.schema)
        self.parquet[name].write_table(table)

    def close(self) -> None:
        for name in TABLE_NAMES:
            if self.buffers[name]:
                self._flush(name)
            if name not in self.csv:  # no document had a row: the file still has its columns
                columns = COLUMNS.get(name) or ["doc_id"]
                self._write(name, apply_schema(pd.DataFrame(columns=columns), name))
            self.csv.pop(name).close()
            self.parquet.pop(name).close()


if __name__ == "__main__":
    sys.exit(main())
