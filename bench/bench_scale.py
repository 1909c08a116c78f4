"""Time processing a synthetic corpus: documents per second and peak memory, by corpus size and jobs.

    .venv/bin/python bench/bench_scale.py [--sizes 200 1000] [--jobs 1 2]

Each size gets a fresh synthetic corpus (`python -m helpers synth`: perturbed copies of data/raw) in a temporary
folder, then `python -m helpers process --jobs J` on it; the figures are the command's own last line. Printed as a
Markdown table (not committed).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUMMARY_RE = re.compile(r"(\d+) documents processed, (\d+) problems, ([\d.]+) s \((\d+) documents/s, (\d+) jobs, "
                        r"peak memory (\d+) MB, workers (\d+) MB\)")


def run(args: list[str]) -> str:
    done = subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            corpus = Path(tmp) / f"corpus{size}"
            start = time.perf_counter()
            run(["synth", "--n", str(size), "--out-dir", str(corpus)])
            made = time.perf_counter() - start
            for jobs in args.jobs:
                out = run(["process", "--raw-dir", str(corpus), "--out-dir", str(Path(tmp) / f"out{size}-{jobs}"),
                           "--jobs", str(jobs)])
                hit = SUMMARY_RE.search(out)
                if not hit:
                    raise SystemExit(f"no summary line in the output of process:\n{out[-2000:]}")
                n, _, seconds, _, _, memory, workers = hit.groups()
                rows.append((size, jobs, int(n), float(seconds), int(n) / float(seconds), int(memory), int(workers), made))
    print("| documents | jobs | seconds | documents/s | ms per document | peak MB (main) | peak MB (worker) | corpus made in s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for _size, jobs, n, seconds, rate, memory, workers, made in rows:
        print(f"| {n} | {jobs} | {seconds:.1f} | {rate:.1f} | {1000 * seconds / n:.0f} | {memory} | {workers} | {made:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
