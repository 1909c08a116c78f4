"""Comparison table across documents, built from data/processed alone.

One row per document: who and when, the spending profile (transfers separated), the
indicator mix and target patterns, and the reconciliation record. Column names are
stable and documented in the data dictionary (table `comparison`).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.schema import apply_schema

IDENTITY_COLUMNS = ["doc_id", "bureau_name", "province", "prefecture", "county", "admin_level", "fiscal_year",
                    "template_family"]
PROFILE_MEASURES = [
    "total_expenditure_wan", "basic_wan", "project_wan", "personnel_basic_wan", "public_basic_wan",
    "transfers_wan", "transfers_insurance_fund_wan", "transfers_medical_assistance_wan", "transfers_persons_wan",
    "project_personnel_wan", "project_admin_wan", "personnel_total_wan", "admin_budget_wan",
    "transfers_share_pct", "project_share_pct", "personnel_share_of_total_pct", "personnel_share_of_admin_pct",
    "project_admin_share_of_admin_pct", "three_public_wan", "operating_expenses_wan", "headcount",
    "personnel_per_staff_wan", "admin_budget_per_staff_wan",
]
LEVEL1_COLUMNS = {"产出指标": "n_output", "效益指标": "n_effect", "满意度指标": "n_satisfaction", "成本指标": "n_cost",
                  "投入管理指标": "n_management"}
UNIT_FAMILIES = ["percent", "persons", "money", "money_rate", "count", "time", "other"]
RECORD_COLUMNS = ["n_findings_error", "n_findings_warning", "n_unparsed", "tables_missing"]
INDICATOR_COLUMNS = ["doc_id", "scope", "level1", "value_kind", "unit_family", "target_value", "reuse_docs",
                     "reuse_projects"]
SUMMARY_COLUMNS = ["doc_id", "scope", "cost_matches_amount"]


def read_processed(processed_dir: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    path = processed_dir / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing; run `python -m helpers process` first")
    return pd.read_parquet(path, columns=columns)


def profile_columns(profile: pd.DataFrame) -> pd.DataFrame:
    """The long spending profile as one column per measure (absent measures are empty)."""
    wide = profile.pivot_table(index="doc_id", columns="measure", values="value", aggfunc="first")
    return wide.reindex(columns=PROFILE_MEASURES).rename_axis(columns=None)


def indicator_columns(indicators: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Indicator mix and target patterns per document, projects and the department-wide table apart."""
    rows = []
    project_summaries = summary[summary["scope"] == "project"]
    summaries = dict(tuple(project_summaries.groupby("doc_id", sort=False)))  # once, not a scan per document
    for doc_id, group in indicators.groupby("doc_id", sort=True):
        project = group[group["scope"] == "project"]
        dept = group[group["scope"] == "department"]
        projects = summaries.get(doc_id, project_summaries.iloc[0:0])
        satisfaction = project[(project["level1"] == "满意度指标") & (project["unit_family"] == "percent")]
        row = {
            "doc_id": doc_id,
            "n_indicators": len(group),
            "n_project_indicators": len(project),
            "n_department_indicators": len(dept),
            "n_projects_with_targets": len(projects),
            "indicators_per_project": len(project) / len(projects) if len(projects) else None,
            "project_quantitative_pct": _pct((project["value_kind"] == "quantitative").sum(), len(project)),
            "department_quantitative_pct": _pct((dept["value_kind"] == "quantitative").sum(), len(dept)),
            "satisfaction_target_median_pct": satisfaction["target_value"].median() if len(satisfaction) else None,
            "projects_cost_matches_pct": _pct(projects["cost_matches_amount"].eq(True).sum(),
                                              projects["cost_matches_amount"].notna().sum()),
            "project_reused_across_docs_pct": _pct((project["reuse_docs"] > 1).sum(), len(project)),
            "project_reused_within_doc_pct": _pct((project["reuse_projects"] > 1).sum(), len(project)),
        }
        for level1, column in LEVEL1_COLUMNS.items():
            row[f"project_{column}"] = int((project["level1"] == level1).sum())
        for family in UNIT_FAMILIES:
            row[f"project_unit_{family}_pct"] = _pct((project["unit_family"] == family).sum(), len(project))
        rows.append(row)
    return pd.DataFrame(rows).set_index("doc_id") if rows else pd.DataFrame()


def build_comparison(processed_dir: Path) -> pd.DataFrame:
    """One row per document, read from the processed tables only."""
    documents = read_processed(processed_dir, "documents").set_index("doc_id")
    out = documents.reindex(columns=IDENTITY_COLUMNS[1:])
    out = out.join(profile_columns(read_processed(processed_dir, "spending_profile")))
    # Only the columns the comparison counts: the indicators are the largest table of a corpus.
    indicators = indicator_columns(read_processed(processed_dir, "indicators", INDICATOR_COLUMNS),
                                   read_processed(processed_dir, "indicator_summary", SUMMARY_COLUMNS))
    if not indicators.empty:
        out = out.join(indicators)
    out = out.join(documents.reindex(columns=RECORD_COLUMNS))
    out = out.reset_index().sort_values("doc_id", kind="stable").reset_index(drop=True)
    # the dictionary's types: a count stays an integer when some document has no indicators (not 42.0), and a column
    # empty for every document stays float, whichever documents are in the folder
    return apply_schema(out, "comparison")


def _pct(part: float, whole: float) -> float | None:
    return 100.0 * float(part) / float(whole) if whole else None
