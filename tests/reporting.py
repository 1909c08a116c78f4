"""Helpers of the report tests: a runner call that captures its output, stub notebooks, manifest edits."""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.config import RAW_DIR
from helpers.report import runner as reports
from helpers.report.runner import build_reports

HOSTILE = "<script>alert(1)</script>"
FAILING = "kaifeng-xiangfu_2024"  # its stub notebook raises
RENAMED = "zhaoyuan_2024"  # its manifest row gets the hostile bureau name
DOC_IDS = sorted(p.stem for p in RAW_DIR.glob("*.txt"))


@dataclass
class Run:
    status: int
    stdout: str
    raw_dir: Path
    processed_dir: Path
    out_dir: Path

    def html(self, name: str) -> str:
        return (self.out_dir / f"{name}.html").read_text(encoding="utf-8")

    def statuses(self) -> dict[str, str]:
        """report → built / skipped / failed, from the progress lines."""
        return dict(re.findall(r"^(\S+): (built|skipped|failed) ", self.stdout, flags=re.M))


def run(raw_dir: Path, processed_dir: Path, out_dir: Path, **kwargs) -> Run:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = build_reports(raw_dir, processed_dir, out_dir, jobs=2, **kwargs)
    return Run(status, stdout.getvalue(), raw_dir, processed_dir, out_dir)


def parameters_cell(source: str):
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    return cell


def write_stub_notebooks(folder: Path) -> None:
    """Small notebooks (no pandas) so the failure and escaping tests cost a kernel start each, not a report."""
    folder.mkdir()
    bureau = new_notebook(cells=[
        new_markdown_cell("# 桩报告"),
        parameters_cell('doc_id = "x"\nprocessed_dir = "."\nraw_dir = "."'),
        new_code_cell(f"import sys\nif doc_id == {FAILING!r}:\n    raise RuntimeError({HOSTILE!r} + '\\nsecond line')\n"
                      "print('kernel python:', sys.executable)"),
    ])
    comparison = new_notebook(cells=[new_markdown_cell("# 桩比较"), parameters_cell('processed_dir = "."')])
    for name, nb in [(reports.BUREAU_NOTEBOOK, bureau), (reports.COMPARISON_NOTEBOOK, comparison)]:
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / name)


def bundled_raw(folder: Path, doc_ids: list[str]) -> Path:
    """A raw folder holding these bundled documents and their manifest rows."""
    import shutil

    import pandas as pd

    folder.mkdir(parents=True)
    for doc_id in doc_ids:
        shutil.copy(RAW_DIR / f"{doc_id}.txt", folder / f"{doc_id}.txt")
    manifest = pd.read_csv(RAW_DIR / "manifest.csv", dtype=str)
    manifest[manifest["doc_id"].isin(doc_ids)].to_csv(folder / "manifest.csv", index=False)
    return folder


def set_bureau_name(raw_dir: Path, doc_id: str, name: str) -> None:
    path = raw_dir / "manifest.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["doc_id"] == doc_id:
            row["bureau_name"] = name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _duckdb_content(path: Path) -> list:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute("select table_name, column_name, data_type, comment from duckdb_columns() "
                              "where not internal order by table_name, column_index").fetchall()
        tables = sorted({c[0] for c in columns})
        return [columns, *(con.execute(f'select * from "{t}"').fetchall() for t in tables)]


def output_content(path: Path) -> bytes:
    """What two runs must write alike. A DuckDB file's pages carry a random id and unused bytes (duckdb/duckdb#23382):
    its tables, column types, comments and rows; the run's manifest without the DuckDB file's sha256, and the reports'
    stamp without the manifest's own sha256, for the same reason; every other file its bytes."""
    if path.suffix == ".duckdb":
        return repr(_duckdb_content(path)).encode()
    if path.name in ("_run.json", ".process-fingerprint.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("outputs", None)
        if "files" in data:
            data["files"] = {name: entry for name, entry in data["files"].items() if not name.endswith(".duckdb")}
        return json.dumps(data, sort_keys=True).encode()
    return path.read_bytes()


def output_hashes(folder: Path) -> dict[str, str]:
    """File name → sha256 of its output_content, for every file of a folder."""
    return {p.name: hashlib.sha256(output_content(p)).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def same_output(a: Path, b: Path) -> bool:
    """Two output files hold the same (output_content)."""
    return output_content(a) == output_content(b)
