"""Command line: python -m helpers process [--raw-dir DIR] [--out-dir DIR] | mutate [--n N] [--seed S] [--out CSV] | reports."""
from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

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
    results: list[DocumentResult] = []
    failed = len(problems)
    for path, result, error in _process_all(documents, manifest, jobs):
        if error:
            print(f"error: {path}: {error}", file=sys.stderr)
            failed += 1
            continue
        results.append(result)  # kept even with problems: nothing read is dropped
        print(summary_line(result))
        for severity, message in result.problems:
            print(f"{severity}: {path}: {message}", file=sys.stderr)
        failed += any(severity == "error" for severity, _ in result.problems)
    count_reuse_across(results)
    write_tables(results, out_dir)
    write_comparison(out_dir)
    seconds = time.perf_counter() - start
    print(f"{len(results)} documents processed, {failed} problems, {seconds:.1f} s "
          f"({len(results) / seconds:.0f} documents/s, {jobs} jobs, peak memory {peak_memory_mb():.0f} MB) → {out_dir}")
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


def _process_all(documents: list[tuple[str, Path]], manifest: pd.DataFrame,
                 jobs: int) -> Iterator[tuple[Path, DocumentResult | None, str | None]]:
    """Results in document order, whatever the number of worker processes (so the bytes written do not depend on it)."""
    # One manifest object per process: document_metadata indexes it once, instead of once per unpickled copy.
    _use_manifest(manifest)
    if jobs <= 1 or len(documents) <= 1:
        yield from map(_process_one, documents)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_use_manifest, initargs=(manifest,)) as pool:
        yield from pool.map(_process_one, documents, chunksize=max(1, min(16, len(documents) // (4 * jobs))))


def peak_memory_mb() -> float:
    """Largest resident size of this process or any of its finished workers (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024


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


def write_tables(results: list[DocumentResult], out_dir: Path) -> None:
    """One CSV (UTF-8 with BOM, for Excel) and one Parquet file per tidy table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        parts = [r.frames[name] for r in results if not r.frames[name].empty]
        columns = COLUMNS.get(name) or (parts[0].columns.tolist() if parts else ["doc_id"])
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
        frame = apply_schema(frame, name)
        keys = SORT_KEYS.get(name, [c for c in ("doc_id", "line") if c in frame])
        frame = frame.sort_values(keys, kind="stable")
        frame = frame.reset_index(drop=True)
        frame.to_csv(out_dir / f"{name}.csv", index=False, encoding="utf-8-sig")
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)


if __name__ == "__main__":
    sys.exit(main())
