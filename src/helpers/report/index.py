"""The index page: one row per bureau report with its build time, raw file checksum and findings.
"""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from helpers.report.render import FONT_FACE_CSS
from helpers.report.state import COMPARISON, now_text, sha256_file

INDEX_CSS = FONT_FACE_CSS + """
body { font-family: "Report CJK", system-ui, sans-serif; margin: 2em auto; max-width: 1200px;
       padding: 0 1em; color: #1f2328; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #d0d7de; padding: 0.35em 0.7em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.failed { color: #cf222e; }
code { font-size: 0.85em; }
"""


BUREAU_COLUMNS = ["报告", "医疗保障局", "年度", "错误", "警告", "原始文件 sha256", "构建于"]


def _cell(value: object, cls: str = "") -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    attr = f' class="{cls}"' if cls else ""
    return f"<td{attr}>{html.escape(text)}</td>"


def _report_cell(name: str, out_dir: Path, state: dict[str, dict]) -> str:
    entry = state.get(name, {})
    if entry.get("status") == "built" and (out_dir / f"{name}.html").is_file():
        href = html.escape(quote(f"{name}.html"))
        return f'<td><a href="{href}">{html.escape(name)}</a></td>'
    if entry.get("status") == "failed":
        return _cell(f"failed: {entry.get('error', '')}", "failed")
    return _cell("not built")


def render_index(doc_ids: list[str], raw_dir: Path, processed_dir: Path, out_dir: Path, state: dict[str, dict]) -> str:
    """The index page; every text from the data or an error message is escaped."""
    documents = pd.read_parquet(processed_dir / "documents.parquet").set_index("doc_id")
    raw_files = sorted(p for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    hashes = {p.name: sha256_file(p) for p in raw_files}
    rows = []
    for doc_id in doc_ids:
        doc = documents.loc[doc_id] if doc_id in documents.index else pd.Series(dtype=object)
        sha = str(doc.get("sha256") or "")
        entry = state.get(doc_id, {})
        rows.append(
            "<tr>" + _report_cell(doc_id, out_dir, state) + _cell(doc.get("bureau_name")) + _cell(doc.get("fiscal_year"))
            + _cell(doc.get("n_findings_error"), "num") + _cell(doc.get("n_findings_warning"), "num")
            + f'<td><code title="{html.escape(sha)}">{html.escape(sha[:12])}</code></td>'
            + _cell(entry.get("built_at")) + "</tr>"
        )
    comparison = state.get(COMPARISON, {})
    files = "".join(f"<tr>{_cell(name)}<td><code>{html.escape(sha)}</code></td></tr>" for name, sha in hashes.items())
    return f"""<!DOCTYPE html>
<html lang="zh">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>医疗保障局预算公开报告</title><style>{INDEX_CSS}</style></head>
<body>
<h1>医疗保障局预算公开报告</h1>
<p>生成于 {html.escape(now_text())}；原始文件 {html.escape(str(raw_dir))}。</p>
<h2>比较</h2>
<div class="table-wrap"><table><thead><tr><th>报告</th><th>构建于</th></tr></thead>
<tbody><tr>{_report_cell(COMPARISON, out_dir, state)}{_cell(comparison.get("built_at"))}</tr></tbody></table></div>
<h2>各局报告</h2>
<div class="table-wrap"><table>
<thead><tr>{"".join(f"<th>{h}</th>" for h in BUREAU_COLUMNS)}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></div>
<h2>输入文件</h2>
<div class="table-wrap"><table><thead><tr><th>文件</th><th>sha256</th></tr></thead><tbody>{files}</tbody></table></div>
</body>
</html>
"""
