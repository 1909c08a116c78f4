"""Do two versions of the code write the same bytes? For refactorings that must not change any output.

    .venv/bin/python scripts/same_outputs.py [--base REV] [--corpus DIR ...] [--jobs J]

Checks out REV (default HEAD) in a temporary git worktree, runs `python -m helpers process` of that version and of
the working tree on each corpus (default: data/raw and ../shared/corpus-extra when present), and compares the
sha256 of every output file. Exit status 1 when any file differs or exists on one side only. With ``--jobs`` above
1, every document's tables also go through the pickling that takes them out of their worker.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def process(src: Path, raw: Path, out: Path, jobs: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-m", "helpers", "process", "--raw-dir", str(raw), "--out-dir", str(out),
                    "--jobs", str(jobs)], env=env, capture_output=True, check=False)


def checksums(folder: Path) -> dict[str, str]:
    """sha256 of each file; a DuckDB file (its pages carry random ids) by its tables, types, comments and rows, and the
    run's manifest without the DuckDB file's checksum."""
    return {p.name: hashlib.sha256(_content(p)).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _content(path: Path) -> bytes:
    if path.suffix == ".duckdb":
        return _duckdb_content(path)
    if path.name == "_run.json":
        listed = json.loads(path.read_text(encoding="utf-8"))
        listed["files"] = {n: e for n, e in listed["files"].items() if not n.endswith(".duckdb")}
        return json.dumps(listed, sort_keys=True).encode()
    return path.read_bytes()


def _duckdb_content(path: Path) -> bytes:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute("select table_name, column_name, data_type, comment from duckdb_columns() "
                              "where not internal order by table_name, column_index").fetchall()
        rows = [con.execute(f'select * from "{t}"').fetchall() for t in sorted({c[0] for c in columns})]
    return repr((columns, rows)).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes of each run")
    args = parser.parse_args()
    corpora = args.corpus or [ROOT / "data" / "raw", *[p for p in [ROOT.parent / "shared" / "corpus-extra"] if p.is_dir()]]
    differ = 0
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
                       capture_output=True, check=True)
        try:
            for corpus in corpora:
                before, after = Path(tmp) / f"{corpus.name}-before", Path(tmp) / f"{corpus.name}-after"
                process(base / "src", corpus, before, args.jobs)
                process(ROOT / "src", corpus, after, args.jobs)
                old, new = checksums(before), checksums(after)
                changed = sorted(n for n in old.keys() | new.keys() if old.get(n) != new.get(n))
                print(f"{corpus}: {len(new)} files, {len(changed)} differ from {args.base}"
                      + (f": {', '.join(changed)}" if changed else ""))
                differ += len(changed)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], capture_output=True,
                           check=False)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
