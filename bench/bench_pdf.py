"""PDF extraction: the project's text layer against pdfplumber's own time, workers, memory and the cache.

    .venv/bin/python bench/bench_pdf.py [--corpus ../shared/corpus-pdf] [--repeat 3]

(a) pdfplumber alone, in this process: open each PDF, on every page `find_tables()` and `extract_words()` — the
    work the text layer needs of the library, with nothing of the project's;
(b) `helpers.ingest.pdf.extract_pdf` on the same files, in this process: the same work plus the project's own
    (lines, cells, page furniture); the ratio (b)/(a) is the project's overhead;
(c) `python -m helpers process` on the corpus with an empty interim folder, with 1 and 2 worker processes: pages/s
    of the whole run (extraction and every later stage), pages/s of its extraction pass alone (one task per PDF, as
    process prints it) and the peak memory of the main process and of a worker;
(d) the same again with the interim folder filled: every layer read from the cache;
(e) `helpers.ingest.layer.pdf_layer` on every file with the cache filled: what a cache hit costs (checksum of the
    PDF, reading the layer and its statistics), against (b).
Each timing is the median of --repeat runs (min and max shown). Printed as a Markdown table.
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

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from helpers.ingest.layer import pdf_layer  # noqa: E402
from helpers.ingest.pdf import extract_pdf  # noqa: E402


def library_alone(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.find_tables()
                page.extract_words()
                page.close()
    return time.perf_counter() - start


def project_layer(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        extract_pdf(path)
    return time.perf_counter() - start


def cache_hits(paths: list[Path], interim: Path) -> float:
    import hashlib

    for path in paths:  # fill the cache
        pdf_layer(path, hashlib.sha256(path.read_bytes()).hexdigest(), interim)
    start = time.perf_counter()
    for path in paths:
        layer = pdf_layer(path, hashlib.sha256(path.read_bytes()).hexdigest(), interim)
        assert layer.cached
    return time.perf_counter() - start


def process(corpus: Path, jobs: int, interim: Path) -> tuple[float, str, float | None]:
    """Wall seconds of the whole run, its peak memory (main / worker) and the extraction's own pages/s as process
    printed it (None when every layer came from the cache)."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "helpers", "process", "--raw-dir", str(corpus), "--out-dir", out,
                               "--jobs", str(jobs), "--interim-dir", str(interim)], capture_output=True, text=True,
                              check=False)
        seconds = time.perf_counter() - start
    memory = re.search(r"peak memory (\d+) MB, workers (\d+) MB", done.stdout)
    rate = re.search(r"^PDF: .* pages extracted in [\d.]+ s, ([\d.]+) pages/s", done.stderr, re.M)
    return seconds, f"{memory.group(1)} / {memory.group(2)}" if memory else "?", float(rate.group(1)) if rate else None


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus-pdf")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = sorted(args.corpus.glob("*.pdf"))
    if not paths:
        print(f"no PDF in {args.corpus}", file=sys.stderr)
        return 1
    with pdfplumber.open(paths[0]):
        pass
    pages = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            pages += len(pdf.pages)
    alone = [library_alone(paths) for _ in range(args.repeat)]
    ours = [project_layer(paths) for _ in range(args.repeat)]
    rows = [("(a) pdfplumber alone: find_tables + extract_words, 1 process", alone, ""),
            ("(b) extract_pdf (the text layer), 1 process", ours,
             f"{statistics.median(ours) / statistics.median(alone):.2f}× (a)")]
    with tempfile.TemporaryDirectory() as interim:
        hits = [cache_hits(paths, Path(interim)) for _ in range(args.repeat)]
    rows.append(("(e) cache hits: checksum + read the cached layer of every file", hits,
                 f"{100 * statistics.median(hits) / statistics.median(ours):.1f}% of (b)"))
    for jobs in (1, 2):
        cold, warm, rates, memory = [], [], [], ""
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as interim:
                seconds, memory, rate = process(args.corpus, jobs, Path(interim))
                cold.append(seconds)
                rates.append(rate or 0.0)
                warm.append(process(args.corpus, jobs, Path(interim))[0])
        rows.append((f"(c) process, empty cache, {jobs} job(s); peak MB main / worker {memory}", cold,
                     f"{pages / statistics.median(cold):.1f} pages/s of the whole run; extraction alone "
                     f"{spread(rates)} pages/s"))
        rows.append((f"(d) process, every layer cached, {jobs} job(s)", warm,
                     f"{100 * statistics.median(warm) / statistics.median(cold):.0f}% of (c)"))
    print(f"{len(paths)} PDFs, {pages} pages ({args.corpus}); seconds: median (min–max) of {args.repeat} runs\n")
    print("| run | seconds | note |\n|---|---:|---|")
    for name, values, note in rows:
        print(f"| {name} | {spread(values)} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
