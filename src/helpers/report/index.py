"""The index page: one row per bureau report with its verdict (key figures that tie out or are contested), its
findings split by cause (printed so in the document, or lost in extraction), its source hash and build time.
"""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from helpers.report import evidence
from helpers.report.state import COMPARISON, now_text, sha256_file
from helpers.report.tables import Column, table_html
from helpers.report.text import html_text
from helpers.report.views import level_name


def _report_link(name: str, label: str, out_dir: Path, state: dict[str, dict]) -> str:
    entry = state.get(name, {})
    if entry.get("status") == "built" and (out_dir / f"{name}.html").is_file():
        return f'<a href="{html.escape(quote(name + ".html"))}">{html_text(label)}</a>'
    if entry.get("status") == "failed":
        return f'<span class="failed">失败 failed: {html_text(entry.get("error", ""))}</span>'
    return "未生成 not built"


def _source_link(doc: pd.Series, raw_dir: Path, out_dir: Path) -> str:
    """The bureau's source document (its PDF, or the text), linked from the site."""
    href = evidence.source_href(doc, raw_dir, out_dir) if len(doc) else ""
    if not href:
        return "—"
    name = evidence.source_files(doc)[0][0]
    return f'<a href="{html.escape(href)}">{html_text(name)}</a>'


def bureau_rows(doc_ids: list[str], processed_dir: Path, out_dir: Path, state: dict[str, dict],
                raw_dir: Path | None = None) -> pd.DataFrame:
    documents = pd.read_parquet(processed_dir / "documents.parquet").set_index("doc_id")
    findings = pd.read_parquet(processed_dir / "findings.parquet", columns=["doc_id", "check", "severity", "cause", "lines"])
    key_figures = pd.read_parquet(processed_dir / "key_figures.parquet")
    by_doc_f = dict(tuple(findings.groupby("doc_id")))
    by_doc_k = dict(tuple(key_figures.groupby("doc_id")))
    by_doc_causes = evidence.findings_by_cause_per_document(findings)
    rows = []
    for doc_id in doc_ids:
        doc = documents.loc[doc_id] if doc_id in documents.index else pd.Series(dtype=object)
        f = by_doc_f.get(doc_id, findings.iloc[:0])
        v = evidence.verdict(by_doc_k.get(doc_id, key_figures.iloc[:0]), f)
        causes = by_doc_causes.get(doc_id, {})
        contested = v.loc[v["state"] == "contested", "figure"].str.split(" · ").str[0].tolist()
        rows.append({
            "report": _report_link(doc_id, doc_id, out_dir, state), "bureau": doc.get("bureau_name"),
            "year": doc.get("fiscal_year"), "level": level_name(doc.get("admin_level")),
            "ties": int((v["state"] == "ties").sum()), "contested": "、".join(contested),
            "err_doc": causes.get(("error", "document"), 0), "err_ext": causes.get(("error", "extraction"), 0),
            "warn": causes.get(("warning", "document"), 0) + causes.get(("warning", "extraction"), 0),
            "unparsed": doc.get("n_unparsed"), "sha": str(doc.get("sha256") or "")[:12],
            "source": _source_link(doc, raw_dir, out_dir) if raw_dir is not None else "—",
            "built": state.get(doc_id, {}).get("built_at", ""),
        })
    return pd.DataFrame(rows)


BUREAU_COLUMNS = [
    Column("report", "报告", "report"), Column("bureau", "单位", "bureau"), Column("year", "年度", "year", "year"),
    Column("level", "级别", "level"), Column("ties", "一致的关键数字", "key figures that tie out", "int"),
    Column("contested", "存疑的关键数字", "contested key figures", missing=""),
    Column("err_doc", "错误：原文如此", "errors printed so", "int"),
    Column("err_ext", "错误：提取丢失", "errors lost in extraction", "int"), Column("warn", "警告", "warnings", "int"),
    Column("unparsed", "未解析单元格", "cells unparsed", "int"), Column("source", "源文件", "source document"),
    Column("sha", "源文件 sha256", "source sha256"),
    Column("built", "构建于", "built at", missing=""),
]


def render_index(doc_ids: list[str], raw_dir: Path, processed_dir: Path, out_dir: Path, state: dict[str, dict],
                 version: str) -> str:
    """The index page; every text from the data or an error message is escaped (the report links are built here)."""
    from helpers.report.render import PageInfo, footer, head_html, page, tables_script

    rows = bureau_rows(doc_ids, processed_dir, out_dir, state, raw_dir)
    linked = ("report", "source")
    marked = rows.assign(**{c: [f"@@{c}{i}@@" for i in range(len(rows))] for c in linked}) if len(rows) else rows
    table = table_html(marked, BUREAU_COLUMNS, table_id="bureaus")
    for column in linked:
        for i, link in enumerate(rows[column] if len(rows) else []):
            table = table.replace(f">@@{column}{i}@@<", f">{link}<", 1)  # HTML built above from escaped parts
    raw_files = sorted(p for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    hashes = tuple((p.name, sha256_file(p)) for p in raw_files)
    comparison = state.get(COMPARISON, {})
    totals = rows[["err_doc", "err_ext", "warn"]].sum() if len(rows) else pd.Series({"err_doc": 0, "err_ext": 0, "warn": 0})
    body = f"""<h1>医疗保障局预算公开报告 · Budget disclosure reports</h1>
<p>生成于 {html_text(now_text())}；原始文件 {html_text(raw_dir)}。共 {len(doc_ids)} 份文件；核对错误中原文如此
{int(totals['err_doc'])} 条、提取丢失 {int(totals['err_ext'])} 条（提取丢失不是文件的错，但相关数字需谨慎使用），
警告 {int(totals['warn'])} 条。</p>
<p>Built {html_text(now_text())} from {html_text(raw_dir)}: {len(doc_ids)} documents; reconciliation errors
{int(totals['err_doc'])} printed so in the documents, {int(totals['err_ext'])} likely lost in extraction (not the documents'
fault, but the figures they touch need care); {int(totals['warn'])} warnings. How each measure is computed and what
extraction can lose: <a href="methods.html">方法与局限 · Methods and limitations</a>.</p>
<h2>比较 · Comparison</h2>
<p>{_report_link(COMPARISON, "医疗保障局预算比较 · bureaus compared", out_dir, state)}
（构建于 built {html_text(comparison.get("built_at", ""))}）</p>
<h2>各局报告 · Bureau reports</h2>
{table}"""
    info = PageInfo(version, now_text(), hashes)
    return page("医疗保障局预算公开报告", body + head_html(), footer(info) + tables_script())
