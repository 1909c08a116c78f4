"""The report runner: every notebook executed on the bundled corpus, HTML without code and with a table of contents, an
index that links every report and escapes what it prints, a failing bureau recorded while the others build, reruns that
skip what did not change."""
from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import io
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.config import RAW_DIR
from helpers.report import runner as reports
from helpers.report import state
from helpers.report.render import render_html
from helpers.report.runner import NOTEBOOKS_DIR, build_reports, one_line_error

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


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Run:
    """The real notebooks on the bundled corpus, processed into a tmp folder by the runner itself: once per session."""
    root = tmp_path_factory.mktemp("reports")
    return run(RAW_DIR, root / "processed", root / "reports")


@pytest.fixture(scope="session")
def rerun(built) -> Run:
    return run(built.raw_dir, built.processed_dir, built.out_dir)


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


@pytest.fixture(scope="session")
def stubbed(tmp_path_factory) -> SimpleNamespace:
    """A copy of the corpus with a hostile bureau name, stub notebooks of which one bureau's fails; run, then rerun
    after another bureau's manifest row changed."""
    root = tmp_path_factory.mktemp("stubbed")
    raw_dir, notebooks = root / "raw", root / "notebooks"
    shutil.copytree(RAW_DIR, raw_dir)
    set_bureau_name(raw_dir, RENAMED, HOSTILE)
    write_stub_notebooks(notebooks)
    first = run(raw_dir, root / "processed", root / "reports", notebooks_dir=notebooks)
    set_bureau_name(raw_dir, "dazhou-dachuan_2024", "达州市达川区医疗保障局（改）")
    second = run(raw_dir, root / "processed", root / "reports", notebooks_dir=notebooks)
    return SimpleNamespace(first=first, second=second, notebooks=notebooks)


def notebook_headings(path: Path) -> list[str]:
    """The h1/h2 headings of a notebook's markdown cells."""
    nb = nbformat.read(path, as_version=4)
    return [m.group(1).strip() for cell in nb.cells if cell.cell_type == "markdown"
            for m in re.finditer(r"^#{1,2} +(.+)$", cell.source, flags=re.M)]


def code_lines(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [ln.strip() for cell in nb.cells if cell.cell_type == "code" for ln in cell.source.splitlines()
            if len(ln.strip()) > 12 and not ln.strip().startswith("#")]


# --- the real notebooks -------------------------------------------------------------------------------------------


def test_every_report_is_built(built):
    assert built.status == 0, built.stdout
    assert built.statuses() == {name: "built" for name in [*DOC_IDS, "comparison"]}
    assert re.search(r"^6 reports: 6 built, 0 skipped, 0 failed", built.stdout, flags=re.M)
    assert (built.processed_dir / "documents.parquet").is_file()  # the runner processed the raw folder first


@pytest.mark.parametrize("name, notebook", [*((d, "bureau.ipynb") for d in DOC_IDS), ("comparison", "comparison.ipynb")])
def test_report_has_the_notebooks_sections_a_toc_and_no_code(built, name, notebook):
    page = built.html(name)
    toc = re.search(r'<nav class="report-toc".*?</nav>', page, flags=re.S)
    assert toc, "no table of contents"
    for heading in notebook_headings(NOTEBOOKS_DIR / notebook):
        anchor = re.search(rf'<h[12] id="([^"]+)">{re.escape(html.escape(heading, quote=False))}<a class="anchor-link"', page)
        assert anchor, f"no heading {heading}"
        href = html.escape(html.unescape(anchor.group(1)))
        assert f'href="#{href}">{html.escape(heading, quote=False)}</a>' in toc.group(0)
    body = page[page.index("<body"):]
    assert "jp-InputArea-editor" not in body and "highlight" not in body
    assert not [ln for ln in code_lines(NOTEBOOKS_DIR / notebook) if ln in body]
    assert "<script" not in body and "cdnjs" not in page  # self-contained: no MathJax or require.js from a CDN


def test_report_numbers_are_right_aligned_cells(built):
    assert re.search(r'<td class="num">[\d,.]+</td>', built.html("comparison"))


def test_index_links_every_report_with_its_hash_and_findings(built):
    index = built.html("index")
    documents = pd.read_parquet(built.processed_dir / "documents.parquet").set_index("doc_id")
    for name in [*DOC_IDS, "comparison"]:
        assert f'<a href="{name}.html">{name}</a>' in index
    for doc_id in DOC_IDS:
        row = re.search(rf'<tr><td><a href="{doc_id}.html">.*?</tr>', index).group(0)
        sha = hashlib.sha256((RAW_DIR / f"{doc_id}.txt").read_bytes()).hexdigest()
        assert sha in index and sha[:12] in row
        doc = documents.loc[doc_id]
        assert f'<td class="num">{doc.n_findings_error}</td><td class="num">{doc.n_findings_warning}</td>' in row


def test_rerun_with_nothing_changed_skips_everything(rerun):
    assert rerun.status == 0
    assert "process: up to date" in rerun.stdout
    assert rerun.statuses() == {name: "skipped" for name in [*DOC_IDS, "comparison"]}


# --- failures and escaping (stub notebooks) -----------------------------------------------------------------------


def test_failing_bureau_is_in_the_index_with_its_error_while_the_others_build(stubbed):
    first = stubbed.first
    assert first.status == 1
    assert first.statuses() == {**{d: "built" for d in DOC_IDS}, FAILING: "failed", "comparison": "built"}
    index = first.html("index")
    assert f'href="{FAILING}.html"' not in index and not (first.out_dir / f"{FAILING}.html").exists()
    assert "<td class=\"failed\">failed: RuntimeError: &lt;script&gt;alert(1)&lt;/script&gt;</td>" in index
    assert "second line" not in index  # one line


def test_index_escapes_a_hostile_bureau_name_and_error(stubbed):
    index = stubbed.first.html("index")
    assert HOSTILE not in index
    assert f"<td>{HOSTILE.replace('<', '&lt;').replace('>', '&gt;')}</td>" in index  # the renamed bureau


def test_kernel_runs_on_the_runners_python(stubbed):
    assert f"kernel python: {sys.executable}" in stubbed.first.html("dazhou-dachuan_2024")


def test_changed_manifest_row_rebuilds_its_bureau_and_the_comparison_only(stubbed):
    second = stubbed.second
    assert "process: ran" in second.stdout
    expected = {d: "skipped" for d in DOC_IDS} | {"dazhou-dachuan_2024": "built", "comparison": "built", FAILING: "failed"}
    assert second.statuses() == expected  # a failure is retried, never cached


# --- units --------------------------------------------------------------------------------------------------------


def test_render_html_builds_the_toc_from_headings_and_marks_numeric_cells():
    table = "<table><tr><td>城乡医疗救助</td><td>1,830.55</td><td>-3.5%</td></tr></table>"
    nb = new_notebook(cells=[
        new_markdown_cell("# 概况 <b>&</b>\n\n正文"),
        new_code_cell("secret_code()", outputs=[new_output("display_data", data={"text/html": table})]),
        new_markdown_cell("## 项目 支出"),
    ])
    page = render_html(nb, "标题")
    toc = re.search(r'<nav class="report-toc".*?</nav>', page, flags=re.S).group(0)
    ids = re.findall(r'<h[12] id="([^"]+)"', page)
    assert len(ids) == 2 and all(f'href="#{i}"' in toc for i in ids)
    assert ">概况 &amp;</a>" in toc and ">项目 支出</a>" in toc
    assert "<td>城乡医疗救助</td>" in page and '<td class="num">1,830.55</td>' in page and '<td class="num">-3.5%</td>' in page
    assert "secret_code" not in page


def test_one_line_error_keeps_the_first_line_of_the_notebooks_error():
    error = SimpleNamespace(ename="ValueError", evalue="\x1b[31mbad amount\x1b[0m\nmore")
    assert one_line_error(error) == "ValueError: bad amount"
    assert len(one_line_error(RuntimeError("x" * 1000))) == reports.MAX_ERROR_CHARS


def test_force_rebuilds_the_chosen_reports_and_the_index_keeps_the_others(stubbed):
    last = stubbed.second
    forced = run(last.raw_dir, last.processed_dir, last.out_dir, docs=["dazhou-dachuan_2024"], force=True,
                 notebooks_dir=stubbed.notebooks)
    assert forced.statuses() == {"dazhou-dachuan_2024": "built", "comparison": "built"}
    index = forced.html("index")
    assert all(f'<a href="{d}.html">' in index for d in DOC_IDS if d != FAILING) and "failed: RuntimeError" in index


def test_document_digests_follow_each_documents_rows(tmp_path):
    frame = pd.DataFrame({"doc_id": ["a", "a", "b"], "line": [1, 2, 3], "reuse_docs": ["b", "", ""]})
    frame.to_parquet(tmp_path / "indicators.parquet")
    before = state.document_digests(tmp_path)
    frame.loc[2, "reuse_docs"] = "a"  # another document's change shows in b's rows only
    frame.to_parquet(tmp_path / "indicators.parquet")
    after = state.document_digests(tmp_path)
    assert before["a"] == after["a"] and before["b"] != after["b"]


def test_cli_refuses_zero_jobs(capsys):
    from helpers.__main__ import main

    assert main(["reports", "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> Run:
    """The real notebooks on one document whose bureau name and a project name hold a script tag."""
    root = tmp_path_factory.mktemp("hostile")
    raw_dir = root / "raw"
    raw_dir.mkdir()
    doc_id = "kaifeng-xiangfu_2024"
    text = (RAW_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")
    assert "2024年非税收入" in text
    (raw_dir / f"{doc_id}.txt").write_text(text.replace("2024年非税收入", f"2024年{HOSTILE}收入"), encoding="utf-8")
    shutil.copy(RAW_DIR / "manifest.csv", raw_dir / "manifest.csv")
    rows = pd.read_csv(raw_dir / "manifest.csv", dtype=str)
    rows[rows["doc_id"] == doc_id].to_csv(raw_dir / "manifest.csv", index=False)
    set_bureau_name(raw_dir, doc_id, f"{HOSTILE}医疗保障局")
    return run(raw_dir, root / "processed", root / "reports")


def test_hostile_names_render_escaped_in_every_report(hostile):
    assert hostile.status == 0, hostile.stdout
    projects = pd.read_parquet(hostile.processed_dir / "projects.parquet")
    assert f"2024年{HOSTILE}收入" in set(projects["project_name"])  # the name is data, kept as printed
    for name in ("kaifeng-xiangfu_2024", "comparison", "index"):
        page = hostile.html(name)
        assert HOSTILE not in page, name
        assert html.escape(HOSTILE) in page or html.escape(HOSTILE, quote=False) in page, name
