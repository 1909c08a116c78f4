"""A notebook run rendered to one HTML page: code hidden, navigation and a table of contents, interactive tables,
charts with alt text, and a footer saying what built the page from which inputs.

Shared bytes are asset files beside the pages (assets/report.css: the notebook CSS and ours; assets/cjk-font.otf;
assets/nav.js: the list of bureaus, so that adding one does not change every page). The table library (DataTables,
from itables' offline bundle) is inlined: a page mailed alone still sorts, filters and searches, and fetches nothing.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{#- self-contained pages: no require.js (no widgets), no MathJax or Mermaid fetched from a CDN -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block notebook_css -%}<link rel="stylesheet" href="assets/report.css">{%- endblock notebook_css -%}
{%- block html_head_css -%}<!--report-head-->{%- endblock html_head_css -%}
{%- block body_header -%}{{ super() }}<!--report-nav--><!--report-toc-->{%- endblock body_header -%}
{%- block body_footer -%}<!--report-footer-->{{ super() }}{%- endblock body_footer -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
 alt="{{ ((output | get_metadata('alt', 'image/png')) or '图表 chart') | escape_html }}">
</div>
{%- endblock data_png %}
"""

# Page text in Chinese: a CJK font the reader has, else the project's own, copied beside the pages (assets/).
# It comes first in font-family: listed after system-ui, Chromium drew boxes for some headings instead of falling back.
FONT_FACE_CSS = """
@font-face { font-family: "Report CJK"; src: local("Noto Sans SC"), local("Noto Sans CJK SC"), local("Source Han Sans SC"),
  local("PingFang SC"), local("Microsoft YaHei"), url("cjk-font.otf"); }
"""

REPORT_CSS = FONT_FACE_CSS + """
body, .jp-Notebook { --jp-content-font-family: "Report CJK", system-ui, sans-serif;
  --jp-ui-font-family: "Report CJK", system-ui, sans-serif; font-family: "Report CJK", system-ui, sans-serif; }
main { max-width: 1280px; margin: 0 auto; }
main.site { padding: 0.5em 2em; color: #1f2328; } main.site .failed { color: #cf222e; }
main.site a, nav.report-nav a, footer.report-footer a { color: #0969da; text-decoration: none; }
nav.report-nav { font-size: 0.95em; margin: 0.8em 20px; padding: 0.4em 0; border-bottom: 1px solid #d0d7de; }
nav.report-nav a { margin-right: 1em; } nav.report-nav .bureaus a { margin-right: 0.8em; white-space: nowrap; }
nav.report-toc { font-family: var(--jp-content-font-family); font-size: var(--jp-content-font-size1); line-height: 1.6;
  border: 1px solid #d0d7de; border-radius: 4px; background: #f6f8fa; padding: 0.6em 1.2em; margin: 1em 20px 1.5em; }
nav.report-toc p { font-weight: bold; margin: 0 0 0.3em; }
nav.report-toc ul { list-style: none; margin: 0; padding: 0; }  /* headings carry their own numbers */
nav.report-toc li.toc-h2 { margin-left: 1.2em; } nav.report-toc li.toc-h3 { margin-left: 2.4em; font-size: 0.95em; }
footer.report-footer { margin: 2em 20px; padding-top: 0.6em; border-top: 1px solid #d0d7de; font-size: 0.85em;
  color: #57606a; } footer.report-footer code { word-break: break-all; }
.verdict { border-left: 4px solid #0969da; background: #f6f8fa; padding: 0.3em 1em; }
/* tables: text left and wrapped in full, numbers right in tabular figures; .jp-Notebook outranks lab's own rules */
.jp-Notebook .jp-RenderedHTMLCommon table.report-table { display: table; width: 100%; table-layout: auto; font-size: 0.9em; }
.jp-Notebook .jp-RenderedHTMLCommon table.report-table td, .jp-Notebook .jp-RenderedHTMLCommon table.report-table th {
  text-align: left; vertical-align: top; white-space: normal; word-break: break-word; max-width: 42em; }
.jp-Notebook .jp-RenderedHTMLCommon table.report-table thead tr + tr th, table.report-table thead tr + tr th {
  font-weight: normal; color: #57606a; font-size: 0.85em; }
.jp-Notebook .jp-RenderedHTMLCommon table.report-table td.num, .jp-Notebook .jp-RenderedHTMLCommon td.num {
  text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.jp-Notebook .jp-RenderedHTMLCommon table.report-table caption { caption-side: top; text-align: left; font-weight: bold; }
.jp-OutputArea-output { overflow-x: auto; }
"""

# DataTables on every report table: sort (numbers as numbers), filter, search; paging only for long tables.
TABLES_INIT_JS = """
const DataTable = window.ReportTables.default;
for (const table of document.querySelectorAll("table.report-table")) {
  const rows = table.tBodies[0] ? table.tBodies[0].rows.length : 0;
  const numeric = (table.dataset.num || "").split(" ").filter(Boolean).map(Number);
  new DataTable(table, {
    paging: rows > 25, pageLength: 25, lengthMenu: [25, 100, { label: "全部 all", value: -1 }],
    searching: rows > 8, info: rows > 25, order: [], autoWidth: false,
    columnDefs: [{ targets: numeric, type: "num-fmt" }],
    language: { search: "搜索 search:", lengthMenu: "每页 _MENU_ 行 rows", info: "_START_–_END_ / _TOTAL_",
                infoEmpty: "0", infoFiltered: "（共 _MAX_ total）", zeroRecords: "无匹配 · no match",
                emptyTable: "无数据 · no rows" },
  });
}
"""

_NUMERIC_CELL = re.compile(r"<td([^>]*)>(\s*[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?\s*)</td>")
_NON_ASCII_ENTITY = re.compile(r"&#(\d{3,7});")  # the Markdown renderer writes 部 as &#37096;
_EXPORTS = re.compile(r"export\{([^}]*)\};?")
_HEADING = re.compile(r"<h([1-3])\b.*?</h\1>", re.S | re.I)  # headings never nest


@dataclass(frozen=True)
class PageInfo:
    """What the footer says: code version, build time, the inputs' hashes (name → sha256)."""
    version: str
    built_at: str
    inputs: tuple[tuple[str, str], ...] = ()


def _mark_numeric(match: re.Match[str]) -> str:
    """A cell holding only a number gets class "num" (kept beside a pandas Styler's own classes)."""
    attrs, value = match.groups()
    if "num" in attrs.split('"')[1:2] or ' num"' in attrs or '"num ' in attrs:
        return match.group(0)
    attrs = attrs.replace('class="', 'class="num ', 1) if 'class="' in attrs else attrs + ' class="num"'
    return f"<td{attrs}>{value}</td>"


@cache
def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """HTMLExporter without its BeautifulSoup pass over the whole page (a third of the rendering time): it only adds
        alt texts, which every chart here has, and tabindex attributes to code cells, which are hidden."""

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(pygments_lexer="python", parent=self))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                            parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter(
        template_name="lab", template_file="report.html.j2", extra_loaders=[DictLoader({"report.html.j2": REPORT_TEMPLATE})],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, language_code="zh",
        optimistic_validation=True,  # the notebook validated once after the preprocessors, not after each (12 times)
    )


@cache
def stylesheet() -> str:
    """assets/report.css: the CSS nbconvert's lab template inlines in every page, then the report's own."""
    from nbconvert import HTMLExporter
    from nbformat.v4 import new_notebook

    page, _ = HTMLExporter(template_name="lab").from_notebook_node(new_notebook())
    head = page[: page.index("</head>")]
    styles = re.findall(r"<style[^>]*>(.*?)</style>", head, flags=re.S)
    return "\n".join(styles) + "\n" + REPORT_CSS


@cache
def _datatables() -> tuple[str, str]:
    """(module source exposing the bundle as window.ReportTables, its CSS), from itables' offline bundle."""
    import itables

    folder = Path(itables.__file__).parent / "html"
    source = (folder / "dt_bundle.js").read_text(encoding="utf-8")
    found = list(_EXPORTS.finditer(source))
    if len(found) != 1 or "</script" in source:
        raise RuntimeError(f"{folder}/dt_bundle.js: not the ES module this report expects (itables changed?)")
    exports = found[0]
    pairs = [p.strip().split(" as ") for p in exports.group(1).split(",")]
    assign = "window.ReportTables={" + ",".join(f"{alias}:{local}" for local, alias in pairs) + "};"
    return source[: exports.start()] + assign + source[exports.end():], (folder / "dt_bundle.css").read_text(encoding="utf-8")


def head_html() -> str:
    _, css = _datatables()
    return f'<style type="text/css">{css}</style>'


def tables_script() -> str:
    module, _ = _datatables()
    return f'<script type="module">{module}\n{TABLES_INIT_JS}</script>'


class _HeadingParser(HTMLParser):
    """(level, id, text) of the h1–h3 headings nbconvert gave an id, the anchor link's ¶ left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str, str]] = []
        self._open: tuple[int, str, list[str]] | None = None
        self._in_anchor = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("h1", "h2", "h3") and a.get("id"):
            self._open = (int(tag[1]), a["id"] or "", [])
        elif tag == "a" and "anchor-link" in (a.get("class") or ""):
            self._in_anchor = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_anchor = False
        elif self._open and tag == f"h{self._open[0]}":
            level, anchor, text = self._open
            self.headings.append((level, anchor, "".join(text).strip()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._in_anchor:
            self._open[2].append(data)


def table_of_contents(body: str) -> str:
    parser = _HeadingParser()
    # only the headings are parsed: the page around them (charts' base64 included) cost a tenth of a second
    parser.feed("".join(m.group(0) for m in _HEADING.finditer(body)))
    items = "".join(
        f'<li class="toc-h{level}"><a href="#{html.escape(anchor)}">{html.escape(text, quote=False)}</a></li>'
        for level, anchor, text in parser.headings
    )
    return f'<nav class="report-toc" aria-label="目录"><p>目录 · Contents</p><ul>{items}</ul></nav>'


def navigation() -> str:
    """Links every page has; assets/nav.js adds one link per bureau (a list that changes when a bureau is added)."""
    return ('<nav class="report-nav" aria-label="导航"><a href="index.html">索引 · Index</a>'
            '<a href="comparison.html">比较 · Comparison</a><a href="methods.html">方法与局限 · Methods and limitations</a>'
            '<span class="bureaus" id="report-bureaus"></span></nav><script src="assets/nav.js"></script>')


def footer(info: PageInfo) -> str:
    inputs = "".join(f"<li>{html.escape(name)}: <code>{html.escape(sha)}</code></li>" for name, sha in info.inputs)
    return (f'<footer class="report-footer"><p>生成 · Built {html.escape(info.built_at)} · 代码版本 · code '
            f'{html.escape(info.version)}</p><p>输入 · Inputs (sha256):</p><ul>{inputs}</ul></footer>')


def _stable_ids(nb) -> None:
    """papermill's injected-parameters cell gets a random id: give it a fixed one, so two builds write the same page."""
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"


def render_html(nb, title: str, info: PageInfo) -> str:
    """HTML without code: navigation, a table of contents from the headings, interactive tables, the footer."""
    _stable_ids(nb)
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    # characters above ASCII are never HTML syntax: written as themselves, the page reads (and greps) as text
    body = _NON_ASCII_ENTITY.sub(lambda m: chr(int(m[1])) if int(m[1]) > 127 else m[0], body)
    body = _NUMERIC_CELL.sub(_mark_numeric, body)
    body = body.replace("<!--report-toc-->", table_of_contents(body), 1)  # before the table library goes in
    body = body.replace("<!--report-head-->", head_html(), 1).replace("<!--report-nav-->", navigation(), 1)
    return body.replace("<!--report-footer-->", footer(info) + tables_script(), 1)


def nav_script(bureaus: list[tuple[str, str]]) -> str:
    """assets/nav.js: one link per bureau report, added to every page's navigation (names set as text, never HTML)."""
    import json

    return ("(function () {\n  const bureaus = " + json.dumps(bureaus, ensure_ascii=False).replace("</", "<\\/") + ";\n"
            "  const nav = document.getElementById('report-bureaus');\n  if (!nav) return;\n"
            "  for (const [id, name] of bureaus) {\n    const a = document.createElement('a');\n"
            "    a.href = encodeURIComponent(id) + '.html';\n    a.textContent = name;\n    nav.appendChild(a);\n  }\n})();\n")


def page(title: str, body: str, footer_html: str) -> str:
    """A page of the site that is not a notebook (index, methods): the same stylesheet, navigation and footer."""
    body = _NUMERIC_CELL.sub(_mark_numeric, body)
    return f"""<!DOCTYPE html>
<html lang="zh">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><link rel="stylesheet" href="assets/report.css"></head>
<body class="site-page"><main class="site">
{navigation()}
{body}
{footer_html}
</main></body>
</html>
"""
