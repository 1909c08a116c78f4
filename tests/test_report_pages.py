"""What a reader gets: pages whose HTML does not depend on how the notebook ran, full finding messages, links that
resolve, Chinese headers and no NaN, pages that work mailed alone, names that stay inert, and a new bureau that
rebuilds only its own report and the comparison."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest

from helpers.config import RAW_DIR
from helpers.report import execute, text
from helpers.report.render import PageInfo, render_html
from helpers.report.runner import NOTEBOOKS_DIR
from reporting import DOC_IDS, bundled_raw, run, set_bureau_name, write_stub_notebooks

INFO = PageInfo("helpers test", "2024-01-01T00:00:00+00:00", (("x.txt", "0" * 64),))


class _Page(HTMLParser):
    """Links, image sources and alt texts, table header texts, and the visible text (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.alts: list[str | None] = []
        self.headers: list[str] = []
        self.text: list[str] = []
        self._skip = 0
        self._th: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        for key in ("href", "src"):
            if a.get(key) and not (tag == "img" and key == "src"):
                self.links.append(a[key])
        if tag == "img":
            self.alts.append(a.get("alt"))
            assert (a.get("src") or "").startswith("data:image/png;base64,")
        if tag == "th":
            self._th = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "th" and self._th is not None:
            self.headers.append("".join(self._th).strip())
            self._th = None

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)
        if self._th is not None:
            self._th.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_in_process_run_renders_the_same_html_as_a_kernel(built):
    notebook = NOTEBOOKS_DIR / "bureau.ipynb"
    params = {"doc_id": "dazhou-dachuan_2024", "processed_dir": str(built.processed_dir), "raw_dir": str(RAW_DIR),
              "out_dir": str(built.out_dir)}
    in_process = render_html(execute.execute_in_process(notebook, params), "t", INFO)
    with_kernel = render_html(execute.execute_with_kernel(notebook, params), "t", INFO)
    assert in_process == with_kernel
    execute.execute_in_process(notebook, {**params, "doc_id": "zhaoyuan_2024"})  # another bureau in the same shell
    assert render_html(execute.execute_in_process(notebook, params), "t", INFO) == in_process  # nothing carried over


@pytest.mark.parametrize("name", [*DOC_IDS, "comparison", "index", "methods"])
def test_built_page_has_resolving_links_chinese_headers_alt_texts_and_no_nan(built, name):
    page = parse(built.html(name))
    for link in page.links:
        parts = urlsplit(link)
        assert not parts.scheme and not parts.netloc, f"{name}: external link {link}"  # nothing from outside
        if parts.path:
            assert (built.out_dir / unquote(parts.path)).exists(), f"{name}: {link} does not resolve"
    visible = "".join(page.text)
    for bad in ("NaN", "<NA>", "None", "nan%"):
        assert bad not in visible, f"{name}: {bad} shown"
    assert all(alt and len(alt) > 20 for alt in page.alts), page.alts  # every chart says what it shows
    if name != "methods":  # every table's first header line is Chinese (the dictionary's terms), English beneath
        content = built.html(name).split('<script type="module">')[0]  # the page, not the table library's source
        heads = re.findall(r"<thead>\s*<tr[^>]*>(.*?)</tr>", content, flags=re.S)
        first_lines = [h for head in heads for h in re.findall(r"<th[^>]*>([^<]*)</th>", head)]
        assert first_lines and all(re.search(r"[\u4e00-\u9fff]", h) for h in first_lines), first_lines


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_bureau_page_shows_every_finding_in_full_with_its_pages_and_lines(built, doc_id):
    page = built.html(doc_id)
    findings = pd.read_parquet(built.processed_dir / "findings.parquet")
    shown = findings[(findings["doc_id"] == doc_id) & findings["severity"].isin(["error", "warning"])]
    assert len(shown) or doc_id == "kaifeng-xiangfu_2024"
    for message, refs in zip(shown["message"], shown["refs"], strict=True):
        assert html.escape(text.clean(message), quote=False) in page, message
        first_line = re.search(r"L(\d+)", refs).group(1)
        assert f"L{first_line}" in page
    headers = parse(page).headers
    assert "核对结果说明" in headers or "说明" in headers


def test_bureau_page_links_its_source_document_and_the_data(built):
    page = built.html("zhaoyuan_2024")
    source = re.search(r'源文件 source: <a href="([^"]+)">', page).group(1)
    assert (built.out_dir / unquote(source)).resolve() == (RAW_DIR / "zhaoyuan_2024.txt").resolve()
    data = re.search(r'数据 data: <a href="([^"]+)">', page).group(1)
    assert (built.out_dir / unquote(data)).resolve() == built.processed_dir.resolve()


def test_nav_script_links_every_built_bureau(built):
    nav = (built.out_dir / "assets" / "nav.js").read_text(encoding="utf-8")
    for doc_id in DOC_IDS:
        assert f'"{doc_id}"' in nav and (built.out_dir / f"{doc_id}.html").is_file()


def test_assets_are_one_stylesheet_and_one_font(built):
    assets = sorted(p.name for p in (built.out_dir / "assets").iterdir())
    assert assets == ["cjk-font.otf", "nav.js", "report.css"]
    page = built.html("zhaoyuan_2024")
    assert page.count('href="assets/report.css"') == 1
    assert "jp-Notebook" not in page[: page.index("</head>")].split("report.css")[0][-200:]  # no inlined lab CSS


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium to open the page")
def test_page_mailed_alone_still_sorts_and_searches(built):
    with tempfile.TemporaryDirectory() as alone, tempfile.TemporaryDirectory() as profile:
        page = Path(alone) / "report.html"
        shutil.copy(built.out_dir / "zhaoyuan_2024.html", page)
        done = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                               "--no-first-run", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
                               "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert dom.count('class="dt-search"') >= 1 and "dt-container" in dom  # DataTables ran without network or assets


def test_hostile_names_are_inert_in_text_markdown_and_charts():
    name = "<b>x</b>[a](javascript:alert(1))$\\undefinedmacro{$\u202e局\n# fake"
    assert "\u202e" not in text.clean(name) and "\n" not in text.clean(name)
    assert "&lt;b&gt;" in text.html_text(name)
    md = text.markdown_text(name)
    assert "\\[a\\]\\(javascript\\:alert\\(1\\)\\)" in md and "\\#" in md
    assert text.mathtext(name).count("\\$") == 2


@pytest.fixture(scope="session")
def hostile_mathtext(tmp_path_factory):
    """The real notebooks on one document whose bureau name holds Markdown, mathtext, a bidi override and a newline."""
    root = tmp_path_factory.mktemp("mathtext")
    doc_id = "dazhou-dachuan_2024"
    raw_dir = bundled_raw(root / "raw", [doc_id])
    set_bureau_name(raw_dir, doc_id, "![x](http://e.invalid/x.png)[y](javascript:alert(1))$\\undefinedmacro{$\u202e局\n# 标题")
    return run(raw_dir, root / "processed", root / "reports")


def test_hostile_bureau_name_builds_and_embeds_nothing(hostile_mathtext):
    assert hostile_mathtext.status == 0, hostile_mathtext.stdout
    for name in ("dazhou-dachuan_2024", "comparison", "index"):
        page = hostile_mathtext.html(name)
        assert "javascript:" not in "".join(parse(page).links)
        assert "http://e.invalid" not in "".join(parse(page).links)
        assert "\u202e" not in page and "<h1>标题" not in page and '<h1 id="标题"' not in page


def test_adding_a_document_rebuilds_only_its_report_and_the_comparison(tmp_path):
    raw_dir, notebooks = tmp_path / "raw", tmp_path / "notebooks"
    shutil.copytree(RAW_DIR, raw_dir)
    added = "luoyang_2026"
    held = tmp_path / f"{added}.txt"
    shutil.move(raw_dir / f"{added}.txt", held)
    write_stub_notebooks(notebooks)
    first = run(raw_dir, tmp_path / "processed", tmp_path / "reports", notebooks_dir=notebooks)
    assert added not in first.statuses() and first.statuses()["comparison"] == "built"
    shutil.move(held, raw_dir / f"{added}.txt")
    second = run(raw_dir, tmp_path / "processed", tmp_path / "reports", notebooks_dir=notebooks)
    changed = {name for name, status in second.statuses().items() if status != "skipped"}
    assert changed == {added, "comparison", "kaifeng-xiangfu_2024"}  # kaifeng's stub fails on purpose: retried


def test_bureau_notebook_shows_no_column_counted_over_other_documents():
    # the digest leaves out what depends on the other documents: the page must not show it
    source = (NOTEBOOKS_DIR / "bureau.ipynb").read_text(encoding="utf-8")
    views = (Path(text.__file__).with_name("views.py")).read_text(encoding="utf-8")
    for column in ("reuse_docs", "n_reused"):
        assert column not in source and f'"{column}"' not in views
