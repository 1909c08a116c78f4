"""Time the report build, side by side in one run: min / median / max over several runs.

    .venv/bin/python bench/bench_reports.py [--repeat 3] [--n 200] [--base e12fd7d] [--skip-naive]

Runners, each on its own processed folder (processed beforehand by its own code, not timed):
(a) naive baseline: for each notebook, the `papermill` CLI then the `jupyter nbconvert --to html` CLI (bundled corpus);
(b) the runner of commit --base (a kernel per notebook), `python -m helpers reports --force`, from a copy of that commit;
(c) this runner, `python -m helpers reports --force` (notebooks in the workers' own IPython shells);
(d) this runner again with nothing changed (the up-to-date rerun).
Corpora: the bundled documents (data/raw) and --n synthetic bureaus (`python -m helpers synth`). Reports are timed
with the default workers (one per core). Results print as Markdown (not committed).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
BIN = Path(sys.executable).parent  # the venv's papermill and jupyter


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def helpers_cmd(command: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "helpers", command, *args]


def reports_args(raw: Path, processed: Path, out: Path, *extra: str) -> list[str]:
    return helpers_cmd("reports", "--raw-dir", str(raw), "--processed-dir", str(processed), "--out-dir", str(out), *extra)


def naive(raw: Path, processed: Path, out: Path, notebooks: Path) -> float:
    """papermill CLI then nbconvert CLI for every notebook run, sequentially: what one would script by hand."""
    out.mkdir(parents=True, exist_ok=True)
    runs = [(p.stem, notebooks / "bureau.ipynb", ["-p", "doc_id", p.stem, "-p", "raw_dir", str(raw), "-p", "out_dir", str(out)])
            for p in sorted(raw.glob("*.txt"))]
    runs.append(("comparison", notebooks / "comparison.ipynb", []))
    total = 0.0
    for name, notebook, params in runs:
        executed = out / f"{name}.ipynb"
        total += timed([str(BIN / "papermill"), str(notebook), str(executed), "--cwd", str(notebooks), "-k", "python3",
                        "--no-progress-bar", "-p", "processed_dir", str(processed), *params])
        total += timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed), "--output-dir", str(out)])
    return total


def stats(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--n", type=int, default=200, help="synthetic bureaus")
    parser.add_argument("--base", default="e12fd7d", help="commit of the runner to compare with (a kernel per notebook)")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--bundled-only", action="store_true", help="leave out the synthetic corpus")
    args = parser.parse_args()
    rows: list[tuple[str, str, int, tuple[float, float, float]]] = []
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        root = Path(tmp)
        base = root / "base"
        base.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        base_env = {"PYTHONPATH": str(base / "src")}  # before the editable install of this tree on sys.path
        synth = root / "synth"
        corpora = [("bundled", RAW)]
        if not args.bundled_only:
            timed(helpers_cmd("synth", "--n", str(args.n), "--out-dir", str(synth)))
            corpora.append((f"synthetic {args.n}", synth))
        for corpus, raw in corpora:
            n_reports = len(list(raw.glob("*.txt"))) + 1
            ours, theirs = root / corpus / "ours", root / corpus / "base"
            first = sorted(raw.glob("*.txt"))[0].stem
            # each runner processes with its own code first (its stamp) and builds one report, untimed
            timed(reports_args(raw, theirs / "processed", theirs / "warm", "--docs", first), base_env, cwd=base)
            timed(reports_args(raw, ours / "processed", ours / "warm", "--docs", first))
            if corpus == "bundled" and not args.skip_naive:
                rows.append((corpus, "(a) naive: papermill CLI + nbconvert CLI per notebook", n_reports,
                             stats([naive(raw, ours / "processed", ours / f"naive{i}", ROOT / "notebooks")
                                    for i in range(args.repeat)])))
            rows.append((corpus, f"(b) runner of {args.base} (a kernel per notebook), --force", n_reports,
                         stats([timed(reports_args(raw, theirs / "processed", theirs / "reports", "--force"), base_env,
                                      cwd=base) for _ in range(args.repeat)])))
            rows.append((corpus, "(c) this runner (in-process shells), --force", n_reports,
                         stats([timed(reports_args(raw, ours / "processed", ours / "reports", "--force"))
                                for _ in range(args.repeat)])))
            rows.append((corpus, "(d) this runner, nothing changed", n_reports,
                         stats([timed(reports_args(raw, ours / "processed", ours / "reports"))
                                for _ in range(max(args.repeat, 5))])))
    print("## Report build benchmark\n")
    print(f"{os.cpu_count()} CPUs; Python {platform.python_version()}; {platform.platform()}; default workers\n")
    print("| corpus | run | reports | min s | median s | max s | median s per report | speed-up vs (a) / (b) |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    reference = {(c, r[:3]): s[1] for c, r, _, s in rows}
    for corpus, name, n, (lo, med, hi) in rows:
        ups = [f"{reference[(corpus, k)] / med:.1f}× {k}" for k in ("(a)", "(b)") if (corpus, k) in reference
               and not name.startswith(k)]
        print(f"| {corpus} | {name} | {n} | {lo:.2f} | {med:.2f} | {hi:.2f} | {med / n:.3f} | {', '.join(ups)} |")


if __name__ == "__main__":
    main()
