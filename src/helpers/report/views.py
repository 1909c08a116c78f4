"""What the bureau report shows, computed from data/processed: tables for people (tables.py), sentences in Chinese
then English, the verdict and the evidence (evidence.py). The notebook only calls these and shows what they return.

A bureau page is a function of its own rows only (the digest processing writes for it): it shows reuse of an
indicator within the document, never counts over other bureaus, so adding a bureau does not change its page.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.report import evidence
from helpers.report.tables import Column, Table, column, columns, format_value, note
from helpers.report.text import html_text, markdown_text

# Parts of total expenditure, in the order the charts stack them: (measure, Chinese label, group).
SPENDING_PARTS = [
    ("personnel_basic_wan", "人员经费（基本支出）", "administration"),
    ("public_basic_wan", "公用经费（基本支出）", "administration"),
    ("project_personnel_wan", "项目中的人员经费", "administration"),
    ("project_admin_wan", "行政性项目", "administration"),
    ("transfers_insurance_fund_wan", "对医保基金补助", "transfer"),
    ("transfers_medical_assistance_wan", "医疗救助", "transfer"),
    ("transfers_persons_wan", "对个人补助", "transfer"),
]
DOCUMENT_TABLES = [
    "documents", "tables", "unparsed", "findings", "spending_profile", "project_classes", "indicators",
    "indicator_summary", "narrative_statements", "key_figures",
]
SEVERITIES = {"error": "错误 error", "warning": "警告 warning", "info": "提示 info"}
LEVELS = {"province": "省级", "prefecture_city": "地市级", "county_level_city": "县级市", "county": "县", "district": "区"}


def level_name(level: object) -> str:
    """An administrative level in Chinese (the manifest's code when unknown); 级别未知 when not given."""
    if level is None or level is pd.NA or (isinstance(level, float) and pd.isna(level)) or not str(level):
        return "级别未知"
    return LEVELS.get(str(level), str(level))


def template_name(family: object) -> str:
    """A template family as its province (the description in maps/templates.csv: "上海: …")."""
    return evidence.template_names().get(str(family), str(family or "")) or "未识别"


class UnknownDocument(LookupError):
    """A doc_id that data/processed does not hold."""


def read_rows(processed_dir: Path, name: str, doc_id: str) -> pd.DataFrame:
    """One document's rows of a processed table: Parquet filters read only its row groups' matches."""
    path = processed_dir / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing; run `python -m helpers process` first")
    return pd.read_parquet(path, filters=[("doc_id", "==", doc_id)]).reset_index(drop=True)


def load_document(processed_dir: Path | str, doc_id: str) -> dict[str, pd.DataFrame]:
    """Every processed table of one document. Raises UnknownDocument naming the id and the folder."""
    processed_dir = Path(processed_dir)
    tables = {name: read_rows(processed_dir, name, doc_id) for name in DOCUMENT_TABLES}
    if tables["documents"].empty:
        known = ", ".join(sorted(pd.read_parquet(processed_dir / "documents.parquet", columns=["doc_id"])["doc_id"]))
        raise UnknownDocument(f"{processed_dir}: no document '{doc_id}' (known: {known})")
    return tables


def measures(profile: pd.DataFrame) -> dict[str, float]:
    """Measure → value of one document's spending profile."""
    return dict(zip(profile["measure"], profile["value"], strict=True))


def spending_parts(values: dict[str, float]) -> pd.DataFrame:
    """Total expenditure split into its parts (万元 and share of the total)."""
    rows = [{"part": label, "group": group, "amount_wan": _number(values.get(measure))}
            for measure, label, group in SPENDING_PARTS]  # a part the document does not give stays missing, never 0
    out = pd.DataFrame(rows)
    total = values.get("total_expenditure_wan") or out["amount_wan"].sum()
    out["share_pct"] = 100 * out["amount_wan"] / total if total else None
    return out


def _number(value: object) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def missing_parts_note(profile: pd.DataFrame, parts: pd.DataFrame) -> str:
    """The parts a chart leaves out because the document does not give them, with the profile's reason."""
    absent = parts.loc[parts["amount_wan"].isna(), "part"].tolist()
    if not absent:
        return ""
    measures = {label: measure for measure, label, _ in SPENDING_PARTS}
    notes = dict(zip(profile["measure"], profile["note"].fillna(""), strict=True))
    reasons = [f"{label}{f'（{notes[measures[label]]}）' if notes.get(measures[label]) else ''}" for label in absent]
    return (f"图中未列 — {'、'.join(reasons)}：文件未给出，不按 0 计。\n\n"
            f"Not in the chart: {len(absent)} part(s) the document does not give (not counted as 0).")


def admin_parts(values: dict[str, float]) -> pd.DataFrame:
    """The bureau's own budget (transfers removed) split into its parts."""
    out = spending_parts(values)
    out = out[out["group"] == "administration"].copy()
    admin = values.get("admin_budget_wan") or out["amount_wan"].sum()
    out["share_pct"] = 100 * out["amount_wan"] / admin if admin else None
    return out.reset_index(drop=True)


def _wan(value: object) -> str:
    return format_value(value, "wan", "—")


def _pct(value: object) -> str:
    return format_value(value, "pct", "—")


def profile_sentences(values: dict[str, float], bureau: str) -> str:
    """Sentences a reader can quote, Chinese then English, each figure from the profile (the name made inert)."""
    name = markdown_text(bureau)
    v = values.get
    zh = (f"{name}支出合计 {_wan(v('total_expenditure_wan'))} 万元，其中 {_wan(v('transfers_wan'))} 万元"
          f"（{_pct(v('transfers_share_pct'))}%）转拨医保基金与个人，因此 {_pct(v('project_share_pct'))}% 的项目支出占比"
          f"主要反映转移性支出。部门自身预算 {_wan(v('admin_budget_wan'))} 万元，人员经费 {_wan(v('personnel_total_wan'))} "
          f"万元（占 {_pct(v('personnel_share_of_admin_pct'))}%），其中 {_wan(v('project_personnel_wan'))} 万元列在项目中。")
    en = (f"{name} budgets {_wan(v('total_expenditure_wan'))} 万元; {_wan(v('transfers_wan'))} 万元 "
          f"({_pct(v('transfers_share_pct'))}%) is passed on to insurance funds and persons, so the raw project share of "
          f"{_pct(v('project_share_pct'))}% mostly measures transfers. The bureau's own budget is "
          f"{_wan(v('admin_budget_wan'))} 万元; personnel cost is {_wan(v('personnel_total_wan'))} 万元 "
          f"({_pct(v('personnel_share_of_admin_pct'))}% of it), of which {_wan(v('project_personnel_wan'))} 万元 is "
          "booked inside projects.")
    if v("headcount"):
        zh += f"披露在职人数 {v('headcount'):.0f} 人，人均人员经费 {_wan(v('personnel_per_staff_wan'))} 万元。"
        en += (f" With {v('headcount'):.0f} staff disclosed, that is {_wan(v('personnel_per_staff_wan'))} 万元 of "
               "personnel cost per person.")
    else:
        zh += "文件未披露在职人数，无法计算人均数。"
        en += " The document does not disclose its headcount: no per-staff figure."
    return f"{zh}\n\n{en}"


def document_header(meta: pd.Series, source_href: str, data_href: str) -> str:
    """Who, when, where, which template; links to the source document and to the data files (names made inert)."""
    place = "".join(str(meta.get(k) or "") for k in ("province", "prefecture", "county")) or "地区未知"
    source = html_text(meta["source_file"])
    kind = f"PDF, {int(meta['n_pages'])} 页 pages" if meta.get("input_format") == "pdf" else "文本 text"
    return (f'<p class="doc-meta"><b>{html_text(meta["bureau_name"])}</b> · 预算年度 {html_text(meta["fiscal_year"])} · '
            f'{html_text(place)} · {html_text(level_name(meta.get("admin_level")))} · 模板 template '
            f'{html_text(template_name(meta["template_family"]))}'
            f'<br>源文件 source: <a href="{html_text(source_href)}">{source}</a> ({kind}; sha256 '
            f'<code title="{html_text(meta["sha256"])}">{html_text(str(meta["sha256"])[:12])}…</code>) · '
            f'数据 data: <a href="{html_text(data_href)}">data/processed</a> (doc_id = '
            f'<code>{html_text(meta["doc_id"])}</code>)</p>{_input_problems(meta)}')


def _input_problems(meta: pd.Series) -> str:
    """The problems processing found in the input itself (documents.problems), up front."""
    problems = meta.get("problems")
    if problems is None or pd.isna(problems) or not str(problems).strip():
        return ""
    return f'<p class="doc-problems">输入问题 · Input problems: {html_text(str(problems).strip())}</p>'


def verdict_summary(verdict: pd.DataFrame, findings: pd.DataFrame) -> str:
    """Two sentences up front: how many key figures tie out, which are contested and why; findings by cause."""
    ties = verdict[verdict["state"] == "ties"]["figure"].str.split(" · ").str[0].tolist()
    contested = verdict[verdict["state"] == "contested"]
    by_cause = evidence.findings_by_cause(findings)
    errors = {c: by_cause.get(("error", c), 0) for c in ("document", "extraction")}
    zh = (f"{len(ties)} 项关键数字表格与情况说明一致（{'、'.join(ties) or '无'}）；{len(contested)} 项存疑"
          f"（{'、'.join(contested['figure'].str.split(' · ').str[0]) or '无'}）。核对错误 {sum(errors.values())} 条："
          f"原文如此 {errors['document']} 条，提取丢失 {errors['extraction']} 条。")
    en = (f"{len(ties)} key figures tie out between the tables and the narrative; {len(contested)} are contested. "
          f"{sum(errors.values())} reconciliation errors: {errors['document']} printed so in the document, "
          f"{errors['extraction']} likely lost in extraction (those figures are not the document's fault, and "
          "charts and tables that use them say so).")
    return f'<div class="verdict"><p>{html_text(zh)}</p><p>{html_text(en)}</p></div>'


def verdict_table(verdict: pd.DataFrame) -> Table:
    frame = verdict.assign(
        table_text=[format_value(v, "int" if c else "wan") for v, c in zip(verdict["table_wan"], verdict["count"],
                                                                           strict=True)],
        narrative_text=[format_value(v, "int" if c else "wan") for v, c in zip(verdict["narrative_wan"], verdict["count"],
                                                                               strict=True)])
    return Table(frame, [
        Column("figure", "关键数字", "key figure"), Column("table_text", "表格数值", "table (万元; 项目数: count)", "text"),
        Column("table_at", "表格出处", "printed at"), Column("narrative_text", "情况说明数值", "narrative (万元; 项目数: count)"),
        Column("narrative_at", "说明出处", "stated at"), Column("status", "结论", "verdict"),
        Column("checks", "相关核对", "checks", missing=""),
    ])


def _contested_note(contested_by: object, line: object, contested: dict[int, list[tuple[str, str]]]) -> str:
    if line is None or pd.isna(line) or int(line) not in contested:
        return ""
    causes = sorted({c for _, c in contested[int(line)]})
    return "存疑 contested: " + "; ".join(evidence.CAUSES.get(c, c) for c in causes) + f" ({contested_by})"


def contested_measures_note(profile: pd.DataFrame, findings: pd.DataFrame, measures: list[str]) -> str:
    """Which figures of a chart an error finding contests, and why (Chinese, then English)."""
    contested = evidence.contested_lines(findings)
    rows = profile[profile["measure"].isin(measures)]
    hits = [(m, _contested_note(c, ln, contested)) for m, c, ln in
            zip(rows["measure"], rows["contested_by"], rows["line"], strict=True) if _contested_note(c, ln, contested)]
    if not hits:
        return "图中数字均无错误核对结果。\n\nNo figure in this chart is contested by an error finding."
    named = "；".join(f"{column('comparison', m).zh}：{note}" for m, note in hits)
    return f"图中以下数字存疑 · Contested figures in this chart: {markdown_text(named)}"


def profile_table(profile: pd.DataFrame, findings: pd.DataFrame) -> Table:
    contested = evidence.contested_lines(findings)
    frame = profile.assign(
        label=[column("comparison", m).zh if column("comparison", m).zh != m else m for m in profile["measure"]],
        source=[f"{evidence.table_name(k)} {evidence.cite_line(p, ln)}".strip()
                for k, p, ln in zip(profile["table_kind"], profile["page"], profile["line"], strict=True)],
        value_text=[format_value(v, "pct" if u == "%" else ("int" if u == "人" else "wan"),
                                 "— 未披露人数 headcount not disclosed" if "staff" in m or m == "headcount" else "—")
                    for v, u, m in zip(profile["value"], profile["unit"], profile["measure"], strict=True)],
        contested=[_contested_note(c, ln, contested) for c, ln in zip(profile["contested_by"], profile["line"],
                                                                          strict=True)])
    return Table(frame, [
        Column("label", "指标", "measure"), Column("measure", "字段", "column"), Column("value_text", "数值", "value"),
        column("spending_profile", "unit"), column("spending_profile", "basis"), Column("source", "出处", "printed at"),
        column("spending_profile", "note", missing=""), Column("contested", "存疑", "contested", missing=""),
    ])


def project_table(classes: pd.DataFrame) -> Table:
    frame = classes.sort_values("amount_wan", ascending=False, kind="stable")
    return Table(frame, columns("project_classes", ["project_name", "project_type", "amount_wan", "func_code",
                                                     "func_code_source", "spending_class", "transfer_kind", "rule_id",
                                                     "page", "line"]))


def indicator_sentences(indicators: pd.DataFrame, summary: pd.DataFrame) -> str:
    if indicators.empty:
        return "文件未列出绩效指标。\n\nThe document gives no performance indicators."
    projects = summary[summary["scope"] == "project"]
    quantitative = (indicators["value_kind"] == "quantitative").mean() * 100
    checked = projects["cost_matches_amount"].dropna()
    n_dept = int((indicators["scope"] == "department").sum())
    zh = (f"共 {len(indicators)} 项绩效指标：{len(projects)} 个项目设定目标，整体绩效指标 {n_dept} 项；"
          f"{quantitative:.1f}% 为定量目标。")
    en = (f"{len(indicators)} indicators: {len(projects)} projects with targets and {n_dept} department-wide "
          f"indicators; {quantitative:.1f}% have a numeric target.")
    if len(checked):
        zh += f"在同时列出成本目标与金额的 {len(checked)} 个项目中，{int(checked.sum())} 个成本目标等于项目金额。"
        en += (f" The money cost target equals the project amount for {int(checked.sum())} of the {len(checked)} "
               "projects where both are printed.")
    return f"{zh}\n\n{en}"


def indicator_mix(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicators by 一级指标 and 二级指标, quantitative and qualitative apart."""
    if indicators.empty:
        return pd.DataFrame(columns=["level1", "level2_norm", "quantitative", "qualitative"])
    table = indicators.pivot_table(index=["level1", "level2_norm"], columns="value_kind", values="line",
                                   aggfunc="count", fill_value=0)
    return table.reindex(columns=["quantitative", "qualitative"], fill_value=0).reset_index().rename_axis(columns=None)


def indicator_mix_table(mix: pd.DataFrame) -> Table:
    return Table(mix, [column("indicators", "level1"), column("indicators", "level2_norm"),
                       Column("quantitative", "定量", "quantitative", "int"),
                       Column("qualitative", "定性", "qualitative", "int")])


def indicator_project_table(summary: pd.DataFrame) -> Table:
    frame = summary[summary["scope"] == "project"].assign(quantitative_pct=lambda s: 100 * s["share_quantitative"])
    names = ["project_name", "n_indicators", "n_output", "n_effect", "n_satisfaction", "n_cost", "quantitative_pct",
             "satisfaction_target_min_pct", "cost_target_wan", "amount_wan", "cost_matches_amount", "first_page",
             "first_line"]
    cols = columns("indicator_summary", names,
                   quantitative_pct=Column("quantitative_pct", "定量指标占比", "quantitative_pct", "pct"),
                   cost_matches_amount=Column("cost_matches_amount", "成本目标等于金额", "cost_matches_amount", "bool",
                                              "— 未同时列出 not both printed"),
                   cost_target_wan=column("indicator_summary", "cost_target_wan",
                                          missing="— 无金额成本目标 no money cost target"))
    return Table(frame, cols)


def department_indicator_table(indicators: pd.DataFrame) -> Table:
    dept = indicators[indicators["scope"] == "department"]
    return Table(dept, columns("indicators", ["level1", "level2_norm", "indicator", "raw", "value_kind", "unit_family",
                                              "page", "line"]))


def reused_indicator_table(indicators: pd.DataFrame) -> Table:
    """Indicators printed with the same target for several projects of this document (reuse within the document)."""
    reused = indicators[indicators["reuse_projects"] > 1]
    out = (reused.groupby(["level1", "indicator", "raw"], dropna=False)
           .agg(projects=("reuse_projects", "max"), first_line=("line", "min")).reset_index()
           .sort_values(["projects", "first_line"], ascending=[False, True], kind="stable"))
    return Table(out, [column("indicators", "level1"), column("indicators", "indicator"), column("indicators", "raw"),
                       Column("projects", "重复项目数", "projects", "int"),
                       Column("first_line", "首次出现", "first line", "line")])


def tables_table(tables: pd.DataFrame, meta: pd.Series) -> Table:
    out = tables.assign(name=tables["table_kind"].map(evidence.table_name))
    missing = [k for k in str(meta.get("tables_missing") or "").split(";") if k]
    if missing:
        out = pd.concat([out, pd.DataFrame({"table_kind": missing, "name": [evidence.table_name(k) for k in missing],
                                            "title": "（目录列出但文件中没有 · listed in the contents, absent）"})],
                        ignore_index=True)
    return Table(out, [Column("name", "表格", "table"), *columns("tables", ["table_kind", "title", "page", "title_line",
                                                                          "last_line", "unit", "n_rows",
                                                                          "page_break_lines", "empty_page_lines"])])


def unparsed_table(unparsed: pd.DataFrame) -> Table:
    """Cells left unparsed, identical ones (same table, column, text and reason) on one row with their count and lines."""
    if unparsed.empty:
        return note("表格区域的每个数字都已进入整理后的表格。", "Every number of the table regions is in a tidy table.")
    keys = ["table_kind", "column", "text", "reason"]
    grouped = (unparsed.assign(cite=[evidence.cite_line(p, ln) for p, ln in zip(unparsed["page"], unparsed["line"],
                                                                                  strict=True)])
               .groupby(keys, dropna=False, sort=False)
               .agg(n=("line", "size"), first_line=("line", "min"), where=("cite", " ; ".join)).reset_index())
    grouped["name"] = grouped["table_kind"].map(evidence.table_name)
    return Table(grouped, [Column("name", "表格", "table"), column("unparsed", "column"), column("unparsed", "text"),
                           column("unparsed", "reason"), Column("n", "单元格数", "cells", "int"),
                           Column("where", "位置", "pages and lines")])


def findings_overview(findings: pd.DataFrame) -> Table:
    """Findings by family, severity and cause."""
    shown = findings.assign(severity=findings["severity"].map(SEVERITIES),
                            cause=findings["cause"].map(lambda c: evidence.CAUSES.get(c, c)))
    table = shown.groupby(["family", "severity", "cause"]).size().reset_index(name="n")
    return Table(table, [column("findings", "family"), column("findings", "severity"), column("findings", "cause"),
                         Column("n", "条数", "findings", "int")])


def findings_table(findings: pd.DataFrame) -> Table:
    """Every error and warning: the full message, both sides' values and the table, page and line of each side."""
    shown = findings[findings["severity"].isin(["error", "warning"])]
    if shown.empty:
        return note("没有错误或警告：每一项核对都成立。", "No error or warning: every checked identity holds.")
    sides = [evidence.parse_refs(r) for r in shown["refs"]]
    frame = shown.assign(
        severity=shown["severity"].map(SEVERITIES), cause=shown["cause"].map(lambda c: evidence.CAUSES.get(c, c)),
        side_a=[evidence.cite(s[0]) if s else "" for s in sides],
        side_b=[" vs ".join(evidence.cite(x) for x in s[1:]) for s in sides])
    return Table(frame, [
        column("findings", "severity"), column("findings", "cause"), column("findings", "check"),
        column("findings", "message"), column("findings", "expected", missing="—"),
        column("findings", "actual", missing="—"), column("findings", "difference", missing="—"),
        Column("side_a", "甲方出处", "side A: table, page, line"), Column("side_b", "乙方出处", "side B: table, page, line",
                                                                        missing=""),
    ])


def source_pages_html(findings: pd.DataFrame, meta: pd.Series, raw_dir: Path, out_dir: Path) -> str:
    """Links to the pages of the source document the findings cite (PDF input), or to the text file."""
    pages = sorted({p for refs in findings["refs"] for side in evidence.parse_refs(refs) for place in side
                    for p in place.pages})
    if not pages:
        href = evidence.source_href(meta, raw_dir, out_dir)
        return (f'<p>核对引用的行号指源文本文件 <a href="{html_text(href)}">{html_text(meta["source_file"])}</a> 的行。'
                f' Line numbers (L…) are lines of that text file.</p>')
    links = " ".join(f'<a href="{html_text(evidence.source_href(meta, raw_dir, out_dir, p))}">p. {p}</a>' for p in pages)
    return f"<p>核对引用的页 · Pages the findings cite: {links}</p>"


def statement_status(statements: pd.DataFrame) -> Table:
    status = statements["check_status"].fillna("").str.split(":").str[0]
    counts = status.value_counts().rename_axis("check_status").reset_index(name="statements")
    return Table(counts, [column("narrative_statements", "check_status"), Column("statements", "条数", "statements", "int")])


def statements_table(statements: pd.DataFrame) -> Table:
    return Table(statements, columns("narrative_statements", ["evidence", "kind", "subject", "value", "check_status",
                                                              "page", "line"]))
