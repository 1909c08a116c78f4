"""The report runner: every notebook executed on the bundled corpus, HTML without code and with a table of contents, an
index that links every report and escapes what it prints, a failing bureau recorded while the others build, reruns that
skip what did not change."""
from __future__ import annotations

import hashlib
import html
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.config import RAW_DIR
from helpers.report import runner as reports
from helpers.report.render import PageInfo, render_html
from helpers.report.runner import NOTEBOOKS_DIR, one_line_error
from reporting import DOC_IDS, FAILING, HOSTILE, bundled_raw, run, set_bureau_name


def notebook_headings(path: Path) -> list[str]:
    """The h1/h2 headings of a notebook's markdown cells."""
    nb = nbformat.read(path, as_version=4)
    return [m.group(1).strip() for cell in nb.cells if cell.cell_type == "markdown"
            for m in re.finditer(r"^#{1,2} +(.+)$", cell.source, flags=re.M)]


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.tags.append(dict(attrs))


def script_tags(page: str) -> list[dict]:
    """The attributes of every script element (their content, DataTables' own source, is not parsed for tags)."""
    parser = _Scripts()
    parser.feed(page)
    return parser.tags


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
    assert script_tags(body) == [{"src": "assets/nav.js"}, {"type": "module"}]  # ours only: the bureau list, the tables
    assert "cdnjs" not in page and "require.js" not in page  # self-contained: no MathJax or require.js from a CDN


def test_report_numbers_are_right_aligned_cells(built):
    assert re.search(r'<td class="num">[\d,.]+</td>', built.html("comparison"))


def test_index_links_every_report_with_its_hash_and_findings_by_cause(built):
    index = built.html("index")
    findings = pd.read_parquet(built.processed_dir / "findings.parquet")
    assert '<a href="comparison.html">' in index and '<a href="methods.html">' in index
    for doc_id in DOC_IDS:
        row = re.search(rf'<tr>\s*<td><a href="{doc_id}.html">{doc_id}</a></td>.*?</tr>', index, flags=re.S).group(0)
        sha = hashlib.sha256((RAW_DIR / f"{doc_id}.txt").read_bytes()).hexdigest()
        assert sha in index and sha[:12] in row
        errors = findings[(findings["doc_id"] == doc_id) & (findings["severity"] == "error")]
        cells = re.findall(r"<td(?: class=\"num\")?>(.*?)</td>", row)
        assert int(cells[6]) == (errors["cause"] == "document").sum()
        assert int(cells[7]) == (errors["cause"] == "extraction").sum()
        source = re.search(rf'<a href="([^"]+)">{doc_id}\.txt</a>', row).group(1)
        assert (built.out_dir / source).resolve() == (RAW_DIR / f"{doc_id}.txt").resolve()  # the bureau's source


def test_rerun_with_nothing_changed_writes_nothing(rerun):
    assert rerun.status == 0
    assert "process: up to date" in rerun.stdout and "reports: nothing changed" in rerun.stdout
    assert rerun.statuses() == {}


# --- failures and escaping (stub notebooks) -----------------------------------------------------------------------


def test_failing_bureau_is_in_the_index_with_its_error_while_the_others_build(stubbed):
    first = stubbed.first
    assert first.status == 1
    assert first.statuses() == {**{d: "built" for d in DOC_IDS}, FAILING: "failed", "comparison": "built"}
    index = first.html("index")
    assert f'href="{FAILING}.html"' not in index and not (first.out_dir / f"{FAILING}.html").exists()
    assert '<span class="failed">失败 failed: RuntimeError: &lt;script&gt;alert(1)&lt;/script&gt;</span>' in index
    assert "second line" not in index  # one line


def test_index_escapes_a_hostile_bureau_name_and_error(stubbed):
    index = stubbed.first.html("index")
    assert HOSTILE not in index
    assert f">{HOSTILE.replace('<', '&lt;').replace('>', '&gt;')}</td>" in index  # the renamed bureau


def test_notebooks_run_on_the_runners_python(stubbed):
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
    page = render_html(nb, "标题", PageInfo("helpers test", "2024-01-01T00:00:00+00:00", (("a.txt", "ab" * 32),)))
    toc = re.search(r'<nav class="report-toc".*?</nav>', page, flags=re.S).group(0)
    ids = re.findall(r'<h[12] id="([^"]+)"', page)
    assert len(ids) == 2 and all(f'href="#{i}"' in toc for i in ids)
    assert ">概况 &amp;</a>" in toc and ">项目 支出</a>" in toc
    assert "<td>城乡医疗救助</td>" in page and '<td class="num">1,830.55</td>' in page and '<td class="num">-3.5%</td>' in page
    assert "secret_code" not in page
    assert "helpers test" in page and "ab" * 32 in page  # the footer: code version and input hashes


def test_one_line_error_keeps_the_first_line_of_the_notebooks_error():
    error = SimpleNamespace(ename="ValueError", evalue="\x1b[31mbad amount\x1b[0m\nmore")
    assert one_line_error(error) == "ValueError: bad amount"
    assert len(one_line_error(RuntimeError("x" * 1000))) == reports.MAX_ERROR_CHARS


def test_a_stopping_run_is_not_a_notebook_failure(tmp_path):
    """A termination signal's exception (Interrupted, as pipeline.interrupts raises it; SystemExit; Ctrl-C) inside a
    cell stops the run; IPython would otherwise report it as the cell's error and the run would go on and swap in a
    set without that page."""
    from helpers.pipeline.interrupts import Interrupted
    from helpers.report.execute import NotebookError, execute_in_process

    for code, raised in [("from helpers.pipeline.interrupts import Interrupted\nraise Interrupted(15)", Interrupted),
                         ("raise SystemExit(143)", SystemExit), ("raise KeyboardInterrupt", KeyboardInterrupt),
                         ("raise ValueError('bad')", NotebookError)]:
        path = tmp_path / "stop.ipynb"
        kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(new_notebook(cells=[new_code_cell(code)], metadata={"kernelspec": kernelspec}), path)
        with pytest.raises(raised):
            execute_in_process(path, {})


def test_force_rebuilds_the_chosen_reports_and_the_index_keeps_the_others(stubbed):
    last = stubbed.second
    forced = run(last.raw_dir, last.processed_dir, last.out_dir, docs=["dazhou-dachuan_2024"], force=True,
                 notebooks_dir=stubbed.notebooks)
    assert forced.statuses() == {"dazhou-dachuan_2024": "built", "comparison": "built"}
    index = forced.html("index")
    assert all(f'<a href="{d}.html">' in index for d in DOC_IDS if d != FAILING) and "failed: RuntimeError" in index


def test_cli_refuses_zero_jobs(capsys):
    from helpers.__main__ import main

    assert main(["reports", "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err


@pytest.fixture(scope="session")
def hostile(tmp_path_factory):
    """The real notebooks on one document whose bureau name and a project name hold a script tag."""
    root = tmp_path_factory.mktemp("hostile")
    doc_id = "kaifeng-xiangfu_2024"
    raw_dir = bundled_raw(root / "raw", [doc_id])
    text = (raw_dir / f"{doc_id}.txt").read_text(encoding="utf-8")
    assert "2024年非税收入" in text
    (raw_dir / f"{doc_id}.txt").write_text(text.replace("2024年非税收入", f"2024年{HOSTILE}收入"), encoding="utf-8")
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


def test_a_sigterm_a_library_swallows_still_stops_the_run_before_the_swap(tmp_path, monkeypatch):
    """A SIGTERM caught in passing (here by a stand-in for the notebook's machinery, which then reports the page as
    failed) stops the run all the same: the folder keeps the old set, not a new one without that page."""
    import argparse
    import contextlib
    import os
    import shutil
    import signal

    from helpers.pipeline.interrupts import Interrupted
    from reporting import write_stub_notebooks

    raw_dir, notebooks, out_dir = tmp_path / "raw", tmp_path / "notebooks", tmp_path / "reports"
    shutil.copytree(RAW_DIR, raw_dir)
    write_stub_notebooks(notebooks)
    assert run(raw_dir, tmp_path / "processed", out_dir, notebooks_dir=notebooks).status in (0, 1)
    before = {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()}

    def swallowing(job, version):
        with contextlib.suppress(Interrupted):  # a library that catches it in passing
            os.kill(os.getpid(), signal.SIGTERM)
        return reports.Outcome(job.name, "failed", error="Interrupted: 15")

    monkeypatch.setattr(reports, "build_report", swallowing)
    parser = argparse.ArgumentParser()
    reports.add_arguments(parser)
    args = parser.parse_args(["--raw-dir", str(raw_dir), "--processed-dir", str(tmp_path / "processed"),
                              "--out-dir", str(out_dir), "--force", "--jobs", "1"])
    previous = signal.getsignal(signal.SIGTERM)
    assert reports.run(args) == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is previous
    assert {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()} == before


def test_an_interrupted_processing_ends_the_reports_run(tmp_path, monkeypatch):
    """Ctrl-C or SIGTERM while `reports` processes ends the run there, with the signal's status: no report is built
    from the outputs an earlier run left."""
    import os
    import signal

    from helpers.pipeline import corpus
    from reporting import write_stub_notebooks

    raw_dir, notebooks, out_dir = tmp_path / "raw", tmp_path / "notebooks", tmp_path / "reports"
    bundled_raw(raw_dir, DOC_IDS[:2])
    write_stub_notebooks(notebooks)
    assert run(raw_dir, tmp_path / "processed", out_dir, notebooks_dir=notebooks).status in (0, 1)
    before = {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()}
    set_bureau_name(raw_dir, DOC_IDS[0], "样本医疗保障局")  # a changed input: processing runs again

    def interrupted(*_args, **_kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("the signal did not interrupt processing")

    monkeypatch.setattr(corpus, "process_corpus", interrupted)
    again = run(raw_dir, tmp_path / "processed", out_dir, notebooks_dir=notebooks)
    assert again.status == 128 + signal.SIGTERM, again.stdout
    assert "built" not in again.stdout
    assert {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()} == before
