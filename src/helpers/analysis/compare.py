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
PROFILE_COLUMNS = ["doc_id", "measure", "value"]


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
    """Indicator mix and target patterns per document, projects and the department-wide table apart: counts per
    document by one grouped sum over flag columns (a loop over documents cost most of the comparison)."""
    if indicators.empty:
        return pd.DataFrame()
    project = indicators["scope"] == "project"
    flags = pd.DataFrame({
        "n_indicators": True,
        "n_project_indicators": project,
        "n_department_indicators": indicators["scope"] == "department",
        "project_quantitative": project & (indicators["value_kind"] == "quantitative"),
        "department_quantitative": (indicators["scope"] == "department") & (indicators["value_kind"] == "quantitative"),
        "project_reused_docs": project & (indicators["reuse_docs"] > 1),
        "project_reused_projects": project & (indicators["reuse_projects"] > 1),
        **{f"project_{column}": project & (indicators["level1"] == level1) for level1, column in LEVEL1_COLUMNS.items()},
        **{f"unit_{family}": project & (indicators["unit_family"] == family) for family in UNIT_FAMILIES},
    }).fillna(False).astype("int64")
    counts = flags.groupby(indicators["doc_id"].to_numpy(), sort=True).sum()
    projects = summary[summary["scope"] == "project"]
    cost = projects["cost_matches_amount"]
    by_project = pd.DataFrame({"n": 1, "matched": cost.eq(True).fillna(False), "known": cost.notna()}).astype("int64") \
        .groupby(projects["doc_id"].to_numpy()).sum().reindex(counts.index, fill_value=0)
    satisfaction = indicators[project & (indicators["level1"] == "满意度指标") & (indicators["unit_family"] == "percent")]
    n_project = counts["n_project_indicators"]
    out = pd.DataFrame({
        "n_indicators": counts["n_indicators"],
        "n_project_indicators": n_project,
        "n_department_indicators": counts["n_department_indicators"],
        "n_projects_with_targets": by_project["n"],
        "indicators_per_project": _ratio(n_project, by_project["n"]),
        "project_quantitative_pct": _pct(counts["project_quantitative"], n_project),
        "department_quantitative_pct": _pct(counts["department_quantitative"], counts["n_department_indicators"]),
        "satisfaction_target_median_pct": satisfaction.groupby(satisfaction["doc_id"].to_numpy())["target_value"]
        .median().reindex(counts.index),
        "projects_cost_matches_pct": _pct(by_project["matched"], by_project["known"]),
        "project_reused_across_docs_pct": _pct(counts["project_reused_docs"], n_project),
        "project_reused_within_doc_pct": _pct(counts["project_reused_projects"], n_project),
        **{f"project_{column}": counts[f"project_{column}"] for column in LEVEL1_COLUMNS.values()},
        **{f"project_unit_{family}_pct": _pct(counts[f"unit_{family}"], n_project) for family in UNIT_FAMILIES},
    })
    return out.rename_axis("doc_id")


def build_comparison(processed_dir: Path, indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per document, read from the processed tables only; ``indicators``: indicator_columns of every
    document, when the caller counted them as it wrote the indicators (they are then not read back)."""
    # only the columns it shows: the run builds it from tables as large as the corpus
    documents = read_processed(processed_dir, "documents", [*IDENTITY_COLUMNS, *RECORD_COLUMNS]).set_index("doc_id")
    out = documents.reindex(columns=IDENTITY_COLUMNS[1:])
    out = out.join(profile_columns(read_processed(processed_dir, "spending_profile", PROFILE_COLUMNS)))
    if indicators is None:  # the indicators are the largest table
        indicators = indicator_columns(read_processed(processed_dir, "indicators", INDICATOR_COLUMNS),
                                       read_processed(processed_dir, "indicator_summary", SUMMARY_COLUMNS))
    if not indicators.empty:
        out = out.join(indicators)
    out = out.join(documents.reindex(columns=RECORD_COLUMNS))
    out = out.reset_index().sort_values("doc_id", kind="stable").reset_index(drop=True)
    # the dictionary's types: a count stays an integer when some document has no indicators (not 42.0), and a column
    # empty for every document stays float, whichever documents are in the folder
    return apply_schema(out, "comparison")


def _ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole, empty where whole is 0."""
    return (part.astype("float64") / whole.astype("float64")).where(whole != 0)


def _pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    """100 × part / whole, empty where whole is 0."""
    return (100.0 * part.astype("float64") / whole.astype("float64")).where(whole != 0)
