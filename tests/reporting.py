"""Helpers of the report tests: a runner call that captures its output, stub notebooks, manifest edits."""
from __future__ import annotations

import contextlib
import csv
import io
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


def same_output(a: Path, b: Path) -> bool:
    """Two output files hold the same: the same bytes, or for a DuckDB file (whose pages carry random ids) the same
    tables, column types, comments and rows."""
    if a.suffix != ".duckdb":
        return a.read_bytes() == b.read_bytes()
    import duckdb

    def content(path: Path) -> list:
        with duckdb.connect(str(path), read_only=True) as con:
            columns = con.execute("select table_name, column_name, data_type, comment from duckdb_columns() "
                                  "where not internal order by table_name, column_index").fetchall()
            tables = sorted({c[0] for c in columns})
            return [columns, *(con.execute(f'select * from "{t}"').fetchall() for t in tables)]

    return content(a) == content(b)
