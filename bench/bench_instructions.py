"""Instructions per document, this working tree against another version: a comparison that does not drift with the
machine (timings here vary by 10–20% within an hour, as much as most single changes are worth).

    .venv/bin/python bench/bench_instructions.py [--base REV] [--documents 20]

Needs valgrind (Debian package `valgrind`). Makes a synthetic corpus (`python -m helpers synth`), checks out REV
(default HEAD) in a temporary git worktree, and counts with callgrind the instructions of the per-document work a
worker does (`pipeline.workers.process_one`) for each version: one run over the first document, one over the first
1 + N, side by side; the difference, divided by N, is the work per document once imports and caches are warm.
About 4 minutes on 2 cores for N = 20 (valgrind runs Python ~50× slower). Printed as a Markdown table (not committed).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The worker's own loop, without the run around it (executor, writer): what a document costs where it is read.
DRIVER = """
import sys
from pathlib import Path
from helpers.ingest.manifest import read_manifest
from helpers.ingest.sources import DocumentSource
from helpers.pipeline.workers import DocumentTask, process_one
corpus, n, interim = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
manifest, _ = read_manifest(corpus)
for path in sorted(corpus.glob("*.txt"))[:n]:
    process_one(DocumentTask(DocumentSource(path.stem, (path,)), manifest.iloc[0:0], interim))
"""
REFS_RE = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(src: Path, corpus: Path, documents: int, scratch: Path) -> int:
    """Instructions callgrind counts for process_one over the first ``documents`` documents, with ``src`` imported."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = scratch / f"callgrind.{src.parent.name}.{documents}.out"
    done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                           sys.executable, "-c", DRIVER, str(corpus), str(documents), str(scratch / "interim")],
                          env=env, capture_output=True, text=True, check=False)
    hit = REFS_RE.search(done.stderr)
    if done.returncode != 0 or not hit:
        raise SystemExit(f"callgrind on {src}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return int(hit.group(1).replace(",", ""))


def per_document(sources: list[Path], corpus: Path, documents: int, scratch: Path) -> list[float]:
    """Instructions per document of each version, its four runs side by side (one per core)."""
    runs = [(src, n) for src in sources for n in (1, 1 + documents)]
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        counts = dict(zip(runs, pool.map(lambda run: instructions(run[0], corpus, run[1], scratch), runs),
                          strict=True))
    return [(counts[(src, 1 + documents)] - counts[(src, 1)]) / documents for src in sources]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--documents", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        subprocess.run([sys.executable, "-m", "helpers", "synth", "--n", str(1 + args.documents), "--out-dir",
                        str(corpus)], capture_output=True, check=True)
        base = root / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
                       capture_output=True, check=True)
        try:
            before, after = per_document([base / "src", ROOT / "src"], corpus, args.documents, root)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], capture_output=True,
                           check=False)
    print(f"instructions per document (callgrind, {args.documents} synthetic documents after the first)\n")
    print(f"| version | instructions per document | × {args.base} |\n|---|---:|---:|")
    print(f"| {args.base} | {before / 1e6:,.1f} M | 1.000 |")
    print(f"| working tree | {after / 1e6:,.1f} M | {after / before:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
