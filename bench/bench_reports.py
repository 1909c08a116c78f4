"""Time the report build: the naive baseline against `python -m helpers reports`, cold and up to date.

    .venv/bin/python bench/bench_reports.py [--repeat 3]

(a) baseline: for each notebook run, the `papermill` CLI, then the `jupyter nbconvert --to html` CLI, one after the other;
(b) `python -m helpers reports --force` cold (empty processed and out folders: processing included), with the default
    workers and with --jobs 1; (c) the same command again with nothing changed. Everything is written to a temporary
    folder; the results are printed as a Markdown section (not committed).
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
NOTEBOOKS = ROOT / "notebooks"
BIN = Path(sys.executable).parent  # the venv's papermill and jupyter


def timed(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def reports_cmd(processed: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "helpers", "reports", "--raw-dir", str(RAW), "--processed-dir", str(processed),
            "--out-dir", str(out), *extra]


def naive(processed: Path, out: Path) -> float:
    """papermill CLI then nbconvert CLI for every notebook run, sequentially: what one would script by hand."""
    out.mkdir()
    runs = [(f"{p.stem}", NOTEBOOKS / "bureau.ipynb", ["-p", "doc_id", p.stem, "-p", "raw_dir", str(RAW)])
            for p in sorted(RAW.glob("*.txt"))]
    runs.append(("comparison", NOTEBOOKS / "comparison.ipynb", []))
    total = 0.0
    for name, notebook, params in runs:
        executed = out / f"{name}.ipynb"
        seconds, _ = timed([str(BIN / "papermill"), str(notebook), str(executed), "--cwd", str(NOTEBOOKS), "-k", "python3",
                            "--no-progress-bar", "-p", "processed_dir", str(processed), *params])
        total += seconds
        seconds, _ = timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed),
                            "--output-dir", str(out)])
        total += seconds
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="runs of the up-to-date rerun (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        root = Path(tmp)
        rows: list[tuple[str, float, str]] = []

        cold, stdout = timed(reports_cmd(root / "processed", root / "reports", "--force"))
        process = re.search(r"processed, \d+ problems, ([\d.]+) s", stdout)
        rows.append(("(b) `helpers reports --force`, cold, default workers", cold,
                     f"includes processing ({process.group(1) if process else '?'} s)"))
        reruns = [timed(reports_cmd(root / "processed", root / "reports"))[0] for _ in range(args.repeat)]
        rows.append(("(c) `helpers reports`, nothing changed", statistics.median(reruns),
                     f"median of {args.repeat}: " + ", ".join(f"{s:.2f}" for s in reruns)))
        serial, _ = timed(reports_cmd(root / "processed", root / "serial", "--force", "--jobs", "1"))
        rows.append(("(b') `helpers reports --force --jobs 1`, processed current", serial, "one worker"))
        baseline = naive(root / "processed", root / "naive")
        rows.insert(0, ("(a) baseline: `papermill` CLI + `jupyter nbconvert` CLI per run", baseline, "sequential"))

    n_runs = len(list(RAW.glob("*.txt"))) + 1
    print("## Report build benchmark\n")
    print(f"{n_runs} notebook runs ({n_runs - 1} bureaus + comparison); {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()}; {platform.platform()}\n")
    print("| run | seconds | vs baseline | note |")
    print("|---|---:|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.2f} | {baseline / seconds:.1f}× | {note} |")


if __name__ == "__main__":
    main()
