"""A notebook run rendered to one HTML page: code hidden, a table of contents from the headings, numbers
right-aligned, the project's CJK font declared for page text.
"""
from __future__ import annotations

import html
import re
from functools import cache
from html.parser import HTMLParser

REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{#- self-contained pages: no require.js (no widgets), no MathJax or Mermaid fetched from a CDN -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{#- after the notebook CSS, so equal selectors here win -#}
{%- block html_head_css -%}<style type="text/css">@@CSS@@</style>{%- endblock html_head_css -%}
{%- block body_header -%}{{ super() }}<!--report-toc-->{%- endblock body_header -%}
"""


# Page text in Chinese: a CJK font the reader has, else the project's own, copied beside the pages (assets/).
# It comes first in font-family: listed after system-ui, Chromium drew boxes for some headings instead of falling back.
FONT_FACE_CSS = """
@font-face { font-family: "Report CJK"; src: local("Noto Sans SC"), local("Noto Sans CJK SC"), local("Source Han Sans SC"),
  local("PingFang SC"), local("Microsoft YaHei"), url("assets/cjk-font.otf"); }
"""


REPORT_CSS = FONT_FACE_CSS + """
body, .jp-Notebook { --jp-content-font-family: "Report CJK", system-ui, sans-serif;
  --jp-ui-font-family: "Report CJK", system-ui, sans-serif; font-family: "Report CJK", system-ui, sans-serif; }
main { max-width: 1200px; margin: 0 auto; }
nav.report-toc { font-family: var(--jp-content-font-family); font-size: var(--jp-content-font-size1); line-height: 1.6;
  border: 1px solid #d0d7de; border-radius: 4px; background: #f6f8fa; padding: 0.6em 1.2em; margin: 1em 20px 1.5em; }
nav.report-toc p { font-weight: bold; margin: 0 0 0.3em; }
nav.report-toc ul { list-style: none; margin: 0; padding: 0; }  /* headings carry their own numbers */
nav.report-toc li.toc-h2 { margin-left: 1.2em; } nav.report-toc li.toc-h3 { margin-left: 2.4em; font-size: 0.95em; }
/* wide tables scroll inside the page instead of widening it; text left, numbers right (lab aligns every cell right);
   .jp-Notebook (the body) outranks lab's ":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td" */
.jp-Notebook .jp-RenderedHTMLCommon table { display: block; max-width: 100%; overflow-x: auto; }
.jp-Notebook .jp-RenderedHTMLCommon td, .jp-Notebook .jp-RenderedHTMLCommon th { text-align: left; vertical-align: top; }
.jp-Notebook .jp-RenderedHTMLCommon td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
"""


_NUMERIC_CELL = re.compile(r"<td([^>]*)>(\s*[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?\s*)</td>")


def _mark_numeric(match: re.Match[str]) -> str:
    """A cell holding only a number gets class "num" (kept beside a pandas Styler's own classes)."""
    attrs, value = match.groups()
    attrs = attrs.replace('class="', 'class="num ', 1) if 'class="' in attrs else attrs + ' class="num"'
    return f"<td{attrs}>{value}</td>"


@cache
def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    template = REPORT_TEMPLATE.replace("@@CSS@@", REPORT_CSS)
    return HTMLExporter(
        template_name="lab", template_file="report.html.j2", extra_loaders=[DictLoader({"report.html.j2": template})],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, language_code="zh",
    )


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
    parser.feed(body)
    items = "".join(
        f'<li class="toc-h{level}"><a href="#{html.escape(anchor)}">{html.escape(text, quote=False)}</a></li>'
        for level, anchor, text in parser.headings
    )
    return f'<nav class="report-toc" aria-label="目录"><p>目录</p><ul>{items}</ul></nav>'


def render_html(nb, title: str) -> str:
    """HTML without code, with a table of contents from the headings and right-aligned numbers."""
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = _NUMERIC_CELL.sub(_mark_numeric, body)
    return body.replace("<!--report-toc-->", table_of_contents(body), 1)
