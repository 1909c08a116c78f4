"""Tables and sentences the report notebooks show, computed from data/processed.

The notebooks stay thin: they call these functions and plot what they return.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from helpers.analysis.compare import read_processed

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
    "indicator_summary", "narrative_statements",
]


class UnknownDocument(LookupError):
    """A doc_id that data/processed does not hold."""


def load_document(processed_dir: Path | str, doc_id: str) -> dict[str, pd.DataFrame]:
    """Every processed table of one document. Raises UnknownDocument naming the id and the folder."""
    processed_dir = Path(processed_dir)
    tables = {name: read_processed(processed_dir, name) for name in DOCUMENT_TABLES}
    if doc_id not in set(tables["documents"]["doc_id"]):
        known = ", ".join(sorted(tables["documents"]["doc_id"]))
        raise UnknownDocument(f"{processed_dir}: no document '{doc_id}' (known: {known})")
    return {name: frame[frame["doc_id"] == doc_id].reset_index(drop=True) for name, frame in tables.items()}


def measures(profile: pd.DataFrame) -> dict[str, float]:
    """Measure → value of one document's spending profile."""
    return dict(zip(profile["measure"], profile["value"], strict=True))


def spending_parts(values: dict[str, float]) -> pd.DataFrame:
    """Total expenditure split into its parts (万元 and share of the total)."""
    rows = [{"part": label, "group": group, "amount_wan": values.get(measure) or 0.0}
            for measure, label, group in SPENDING_PARTS]
    out = pd.DataFrame(rows)
    total = values.get("total_expenditure_wan") or out["amount_wan"].sum()
    out["share_pct"] = 100 * out["amount_wan"] / total if total else None
    return out


def admin_parts(values: dict[str, float]) -> pd.DataFrame:
    """The bureau's own budget (transfers removed) split into its parts."""
    out = spending_parts(values)
    out = out[out["group"] == "administration"].copy()
    admin = values.get("admin_budget_wan") or out["amount_wan"].sum()
    out["share_pct"] = 100 * out["amount_wan"] / admin if admin else None
    return out.reset_index(drop=True)


def profile_sentences(values: dict[str, float], bureau: str) -> str:
    """Two or three sentences a reader can quote, each figure from the profile (the name escaped: it is markdown)."""
    bureau = html.escape(str(bureau))

    def get(name: str) -> float:
        return values.get(name) or 0.0

    text = [
        f"{bureau} budgets {get('total_expenditure_wan'):,.2f} 万元. Of this, {get('transfers_wan'):,.2f} 万元 "
        f"({get('transfers_share_pct'):.1f}%) is passed on to insurance funds and persons, so the raw project share "
        f"of {get('project_share_pct'):.1f}% mostly measures transfers.",
        f"The bureau's own budget is {get('admin_budget_wan'):,.2f} 万元; personnel cost is "
        f"{get('personnel_total_wan'):,.2f} 万元 ({get('personnel_share_of_admin_pct'):.1f}% of it), of which "
        f"{get('project_personnel_wan'):,.2f} 万元 is booked inside projects.",
    ]
    if values.get("headcount"):
        text.append(f"With {get('headcount'):.0f} staff disclosed, that is {get('personnel_per_staff_wan'):.2f} 万元 "
                    f"of personnel cost per person.")
    return " ".join(text)


def findings_overview(findings: pd.DataFrame) -> pd.DataFrame:
    """Number of findings by family and severity."""
    if findings.empty:
        return pd.DataFrame(columns=["family", "error", "warning", "info"])
    table = findings.pivot_table(index="family", columns="severity", values="check", aggfunc="count", fill_value=0)
    return table.reindex(columns=["error", "warning", "info"], fill_value=0).reset_index().rename_axis(columns=None)


def indicator_mix(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicators by 一级指标 and 二级指标, quantitative and qualitative apart."""
    if indicators.empty:
        return pd.DataFrame(columns=["level1", "level2_norm", "quantitative", "qualitative"])
    table = indicators.pivot_table(index=["level1", "level2_norm"], columns="value_kind", values="line",
                                   aggfunc="count", fill_value=0)
    return table.reindex(columns=["quantitative", "qualitative"], fill_value=0).reset_index().rename_axis(columns=None)


def comparison_parts(comparison: pd.DataFrame, share_of: str = "total") -> pd.DataFrame:
    """Document × part matrix of amounts (万元): parts of total expenditure, or of the bureau's own budget.

    Rows are sorted by the transfer share (total) or the personnel share (own budget), largest first."""
    parts = SPENDING_PARTS if share_of == "total" else [p for p in SPENDING_PARTS if p[2] == "administration"]
    out = pd.DataFrame({label: comparison[measure].fillna(0).to_numpy() for measure, label, _ in parts},
                       index=bureau_labels(comparison))
    key = "transfers_share_pct" if share_of == "total" else "personnel_share_of_admin_pct"
    order = comparison[key].fillna(-1).to_numpy().argsort(kind="stable")[::-1]
    return out.iloc[order]


def document_header(meta: pd.Series) -> str:
    """One line of who, when, which template and which file (escaped: names come from the documents)."""
    place = "".join(str(meta.get(k) or "") for k in ("province", "prefecture", "county"))
    return (f"**{html.escape(str(meta['bureau_name']))}** · 预算年度 {meta['fiscal_year']} · {html.escape(place)} · "
            f"template `{meta['template_family']}` · source `{html.escape(str(meta['source_file']))}` "
            f"(sha256 `{str(meta['sha256'])[:12]}…`) · {meta['n_findings_error']} errors, "
            f"{meta['n_findings_warning']} warnings, {meta['n_unparsed']} cells unparsed")


def profile_table(profile: pd.DataFrame) -> pd.DataFrame:
    out = profile[["measure", "value", "unit", "basis", "table_kind", "line", "note", "contested_by"]].copy()
    out["value"] = out["value"].round(2)
    out["line"] = out["line"].map(_line)
    return out.set_index("measure")


def project_table(classes: pd.DataFrame) -> pd.DataFrame:
    out = classes[["line", "project_name", "project_type", "amount_wan", "func_code", "func_code_source",
                   "spending_class", "transfer_kind", "rule_id"]].copy()
    out["line"] = out["line"].map(_line)
    return out.sort_values("amount_wan", ascending=False, kind="stable").reset_index(drop=True)


def indicator_sentences(indicators: pd.DataFrame, summary: pd.DataFrame) -> str:
    if indicators.empty:
        return "The document gives no performance indicators."
    projects = summary[summary["scope"] == "project"]
    quantitative = (indicators["value_kind"] == "quantitative").mean() * 100
    checked = projects["cost_matches_amount"].dropna()
    text = (f"{len(indicators)} indicators: {len(projects)} projects with targets and "
            f"{int((indicators['scope'] == 'department').sum())} department-wide indicators; "
            f"{quantitative:.0f}% have a numeric target.")
    if len(checked):
        text += (f" The money cost target equals the project amount for {int(checked.sum())} of the "
                 f"{len(checked)} projects where both are printed.")
    return text


def indicator_project_table(summary: pd.DataFrame, scope: str = "project") -> pd.DataFrame:
    columns = ["project_name", "n_indicators", "n_output", "n_effect", "n_satisfaction", "n_cost", "share_quantitative",
               "satisfaction_target_min_pct", "cost_target_wan", "amount_wan", "cost_matches_amount", "n_reused",
               "first_line"]
    out = summary.loc[summary["scope"] == scope, columns].copy()
    out["share_quantitative"] = (100 * out["share_quantitative"]).round(0)
    out["first_line"] = out["first_line"].map(_line)
    return out.rename(columns={"share_quantitative": "quantitative_pct"}).reset_index(drop=True)


def department_indicator_table(indicators: pd.DataFrame) -> pd.DataFrame:
    dept = indicators[indicators["scope"] == "department"]
    out = dept[["line", "level1", "level2_norm", "indicator", "raw", "value_kind", "unit_family"]].copy()
    out["line"] = out["line"].map(_line)
    return out.reset_index(drop=True)


def reused_indicator_table(indicators: pd.DataFrame, limit: int = 20) -> pd.DataFrame:
    reused = indicators[(indicators["reuse_projects"] > 1) | (indicators["reuse_docs"] > 1)]
    out = (reused.groupby(["level1", "indicator", "raw"], dropna=False)
           .agg(projects=("reuse_projects", "max"), documents=("reuse_docs", "max"), first_line=("line", "min"))
           .reset_index().sort_values(["documents", "projects"], ascending=False, kind="stable").head(limit))
    out["first_line"] = out["first_line"].map(_line)
    return out.reset_index(drop=True)


def tables_table(tables: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    out = tables[["table_kind", "title", "title_line", "last_line", "unit", "n_rows", "page_break_lines",
                  "empty_page_lines", "declared_empty"]].copy()
    out["title_line"] = out["title_line"].map(_line)
    out["last_line"] = out["last_line"].map(_line)
    missing = [k for k in str(meta.get("tables_missing") or "").split(";") if k]
    if missing:
        out = pd.concat([out, pd.DataFrame({"table_kind": missing, "title": "(listed in the contents, absent)"})],
                        ignore_index=True)
    return out


def unparsed_table(unparsed: pd.DataFrame) -> pd.DataFrame:
    if unparsed.empty:
        return pd.DataFrame({"": ["Every number of the table regions is in a tidy table."]})
    out = unparsed[["line", "table_kind", "column", "text", "reason"]].copy()
    out["line"] = out["line"].map(_line)
    return out.reset_index(drop=True)


def findings_table(findings: pd.DataFrame) -> pd.DataFrame:
    shown = findings[findings["severity"].isin(["error", "warning"])]
    if shown.empty:
        return pd.DataFrame({"": ["No error or warning: every checked identity holds."]})
    return shown[["severity", "check", "cause", "message", "expected", "actual", "refs"]].reset_index(drop=True)


def statement_status(statements: pd.DataFrame) -> pd.DataFrame:
    status = statements["check_status"].fillna("").str.split(":").str[0]
    return status.value_counts().rename_axis("check_status").reset_index(name="statements")


def top(comparison: pd.DataFrame, column: str, n: int) -> pd.DataFrame:
    """The n rows largest by a column (all of them when there are fewer)."""
    return comparison.sort_values(column, ascending=False, kind="stable").head(n).reset_index(drop=True)


def bureau_labels(comparison: pd.DataFrame) -> pd.Series:
    names = comparison["bureau_name"].fillna(comparison["doc_id"]).astype(str)
    return names + " " + comparison["fiscal_year"].astype(str)


def labelled(comparison: pd.DataFrame, column: str) -> pd.Series:
    return pd.Series(comparison[column].to_numpy(), index=bureau_labels(comparison), name=column).dropna()


def personnel_shares(comparison: pd.DataFrame) -> pd.DataFrame:
    out = comparison[["personnel_share_of_total_pct", "personnel_share_of_admin_pct"]].copy()
    out.columns = ["占支出合计", "占部门自身预算"]
    out.index = bureau_labels(comparison)
    return out.sort_values("占部门自身预算", ascending=False)


def level1_mix(comparison: pd.DataFrame) -> pd.DataFrame:
    columns = {"project_n_output": "产出指标", "project_n_effect": "效益指标", "project_n_satisfaction": "满意度指标",
               "project_n_cost": "成本指标"}
    out = comparison[list(columns)].rename(columns=columns).fillna(0)
    out.index = bureau_labels(comparison)
    return out


def comparison_sentences(comparison: pd.DataFrame, top_n: int) -> str:
    n = len(comparison)
    text = (f"{n} documents. Transfers are {comparison['transfers_share_pct'].min():.0f}–"
            f"{comparison['transfers_share_pct'].max():.0f}% of total expenditure; personnel is "
            f"{comparison['personnel_share_of_admin_pct'].min():.0f}–{comparison['personnel_share_of_admin_pct'].max():.0f}% "
            f"of the bureaus' own budgets.")
    if n > top_n:
        text += f" Charts show the {top_n} largest by total expenditure; the tables show all {n}."
    return text


def overview_table(comparison: pd.DataFrame) -> pd.DataFrame:
    columns = ["doc_id", "bureau_name", "fiscal_year", "province", "template_family", "total_expenditure_wan",
               "transfers_share_pct", "personnel_share_of_admin_pct", "headcount", "n_findings_error", "n_unparsed"]
    return comparison[columns].round(2)


def cost_table(comparison: pd.DataFrame) -> pd.DataFrame:
    columns = ["doc_id", "bureau_name", "three_public_wan", "operating_expenses_wan", "admin_budget_wan", "headcount",
               "personnel_per_staff_wan", "admin_budget_per_staff_wan"]
    return comparison[columns].round(2)


def indicator_comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    columns = ["doc_id", "bureau_name", "n_project_indicators", "n_department_indicators", "n_projects_with_targets",
               "indicators_per_project", "project_quantitative_pct", "satisfaction_target_median_pct",
               "projects_cost_matches_pct", "project_reused_within_doc_pct", "project_reused_across_docs_pct"]
    return comparison[columns].round(1)


def record_table(comparison: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    shown = findings[findings["severity"].isin(["error", "warning"])]
    by_family = shown.pivot_table(index="doc_id", columns=["severity", "family"], values="check", aggfunc="count",
                                  fill_value=0)
    by_family.columns = [f"{severity}: {family}" for severity, family in by_family.columns]
    base = comparison.set_index("doc_id")[["bureau_name", "n_findings_error", "n_findings_warning", "n_unparsed",
                                           "tables_missing"]]
    return base.join(by_family).fillna({c: 0 for c in by_family.columns}).reset_index()


def full_table(comparison: pd.DataFrame) -> pd.DataFrame:
    return comparison.round(2)


def _line(value: object) -> str:
    return "" if pd.isna(value) else f"L{int(value)}"


def show_full_tables(max_rows: int = 5000) -> None:
    """Tables in the reports show every row and column (they scroll), not pandas' truncated preview."""
    pd.set_option("display.max_rows", max_rows)
    pd.set_option("display.max_columns", None)
    pd.set_option("display.width", None)
