"""Processing a synthetic corpus against its floor: seconds, documents per second and peak memory, by corpus size and
jobs, min / median / max over several runs.

    .venv/bin/python bench/bench_scale.py [--sizes 200 1000] [--jobs 1 2] [--repeat 3] [--profile FILE]

Each size gets a fresh synthetic corpus (`python -m helpers synth`: perturbed copies of data/raw) in a temporary
folder, then `python -m helpers process --jobs J` on it, --repeat times; the figures are the command's own last line
(wall seconds of the run; peak resident memory of the main process, of its largest worker and of the process that
builds the DuckDB file, each its own). The floor is what no pipeline can beat: reading the same raw files (bytes,
decoded) and writing the same tables (every CSV and Parquet file the run wrote, from frames already in memory) with
pandas, in one process. Each run is followed by a floor run, and "× floor" is the median (min–max) of the runs' own
ratios: this machine's speed drifts by 10–20% within an hour, and a floor timed at another moment than its runs moved
the ratio by as much. --profile writes a cProfile of one run at the largest size with one job (`python -m pstats
FILE`). Printed as a Markdown table (not committed).
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

SUMMARY_RE = re.compile(r"(\d+) documents processed, (\d+) problems, ([\d.]+) s \(([\d.]+) documents/s, (\d+) jobs, "
                        r"peak memory (\d+) MB, workers (\d+) MB, database (\d+) MB\)")


def helpers(args: list[str], python: list[str] | None = None) -> str:
    command = [sys.executable, *(python or []), "-m", "helpers", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return done.stdout


def process(corpus: Path, out: Path, jobs: int) -> tuple[int, float, int, int, int]:
    """documents, seconds, peak MB of the main process, of the largest worker and of the database's process, as the
    run printed them."""
    printed = helpers(["process", "--raw-dir", str(corpus), "--out-dir", str(out), "--jobs", str(jobs)])
    hit = SUMMARY_RE.search(printed)
    if not hit:
        raise SystemExit(f"no summary line in the output of process:\n{printed[-2000:]}")
    n, _, seconds, _, _, memory, workers, database = hit.groups()
    return int(n), float(seconds), int(memory), int(workers), int(database)


def floor(corpus: Path, written: Path, scratch: Path) -> float:
    """Seconds to read every raw file and write every table the run wrote, with pandas, the frames in memory."""
    tables = {p.stem: pd.read_parquet(p) for p in sorted(written.glob("*.parquet"))}
    start = time.perf_counter()
    for path in sorted(corpus.iterdir()):
        path.read_bytes().decode("utf-8", errors="replace")
    for name, frame in tables.items():
        frame.to_csv(scratch / f"{name}.csv", index=False, encoding="utf-8-sig")
        frame.to_parquet(scratch / f"{name}.parquet", index=False)
    return time.perf_counter() - start


def spread(values: list[float], digits: int = 1) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="also write a cProfile of one run (largest size, one job)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for size in args.sizes:
            corpus = root / f"corpus{size}"
            helpers(["synth", "--n", str(size), "--out-dir", str(corpus)])
            (root / "floor").mkdir(exist_ok=True)
            for jobs in args.jobs:
                runs, floors = [], []
                for _ in range(args.repeat):  # each run with its floor, timed side by side
                    runs.append(process(corpus, root / f"out{size}-{jobs}", jobs))
                    floors.append(floor(corpus, root / f"out{size}-{jobs}", root / "floor"))
                rows.append((size, jobs, runs, floors))
        if args.profile:
            size = max(args.sizes)
            helpers(["process", "--raw-dir", str(root / f"corpus{size}"), "--out-dir", str(root / "profiled")],
                    ["-m", "cProfile", "-o", str(args.profile.resolve())])
    print(f"seconds and MB: median (min–max) of {args.repeat} runs; floor: read the raw files and write the same "
          "tables with pandas, one process, after each run; × floor: the runs' own ratios\n")
    print("| documents | jobs | process s | documents/s | floor s | × floor | peak MB main | peak MB worker "
          "| peak MB database |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for _size, jobs, runs, floors in rows:
        n = runs[0][0]
        seconds = [r[1] for r in runs]
        rates = [n / s for s in seconds]
        ratios = [s / f for s, f in zip(seconds, floors, strict=True)]
        print(f"| {n} | {jobs} | {spread(seconds)} | {spread(rates)} | {spread(floors, 2)} | {spread(ratios)} | "
              f"{spread([r[2] for r in runs], 0)} | {spread([r[3] for r in runs], 0)} | {spread([r[4] for r in runs], 0)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
