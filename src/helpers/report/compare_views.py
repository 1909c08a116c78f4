"""What the comparison report shows: bureaus grouped like with like (kind of department, administrative level,
fiscal year), per-staff figures where headcount is disclosed, year-on-year changes where a document prints them, and
each bureau's findings split by cause. Read from comparison.parquet (written by processing) and a few columns of
findings and narrative_statements.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.report import evidence
from helpers.report.tables import Column, Table, column, columns
from helpers.report.text import markdown_text
from helpers.report.views import SPENDING_PARTS, level_name

MEDICAL_SECURITY = "医疗保障"  # a unit whose name lacks it is not a medical security bureau: kept apart
# Year-on-year: key figures whose change the narrative states (subject of narrative_statements), and the comparison
# column used when the tables give no such figure.
YOY_FIGURES = [("total_expenditure", "支出总计", "total_expenditure_wan"),
               ("three_public_total", "“三公”经费", "three_public_wan"),
               ("operating_expenses", "机关运行经费", "operating_expenses_wan")]
LOG_SCALE_RATIO = 100  # values two orders of magnitude apart: a linear axis hides the small bureaus


def read_comparison(processed_dir: Path | str) -> pd.DataFrame:
    """comparison.parquet, with each bureau's group (kind, level, year) and a label."""
    frame = pd.read_parquet(Path(processed_dir) / "comparison.parquet")
    return add_groups(frame)


def add_groups(comparison: pd.DataFrame) -> pd.DataFrame:
    names = comparison["bureau_name"].fillna("").astype(str)
    medical = names.str.contains(MEDICAL_SECURITY, regex=False)
    level = comparison["admin_level"].map(level_name)
    out = comparison.assign(
        medical=medical, kind_label=medical.map({True: "医保局 medical security", False: "非医保单位 other unit"}),
        level_label=level, label=names.where(names != "", comparison["doc_id"]) + " " + comparison["fiscal_year"].astype(str))
    out["group"] = out["kind_label"] + " · " + out["level_label"] + " · " + out["fiscal_year"].astype(str)
    return out.sort_values(["medical", "admin_level", "fiscal_year", "doc_id"], ascending=[False, True, True, True],
                           kind="stable").reset_index(drop=True)


def groups_sentence(comparison: pd.DataFrame) -> str:
    groups = comparison.groupby("group", sort=False).size()
    others = comparison.loc[~comparison["medical"], "label"].tolist()
    zh = "分组比较：" + "；".join(f"{markdown_text(g)}（{n} 个）" for g, n in groups.items()) + "。"
    en = f"{len(comparison)} documents in {len(groups)} groups of the same kind, level and year."
    if others:
        zh += "以下单位不是医疗保障局，单独列出、不参与医保局的比较：" + "、".join(map(markdown_text, others)) + "。"
        en += f" {len(others)} unit(s) are not medical security bureaus: flagged and kept apart."
    return f"{zh}\n\n{en}"


def spread_sentence(comparison: pd.DataFrame) -> str:
    med = comparison[comparison["medical"]]
    if med.empty:
        return ""
    t, p = med["transfers_share_pct"], med["personnel_share_of_admin_pct"]
    return (f"医保局的转移性支出占支出合计 {t.min():.1f}–{t.max():.1f}%；人员经费占部门自身预算 {p.min():.1f}–{p.max():.1f}%。"
            f"\n\nAmong medical security bureaus, transfers are {t.min():.1f}–{t.max():.1f}% of total expenditure; "
            f"personnel is {p.min():.1f}–{p.max():.1f}% of the bureaus' own budgets.")


def needs_log_scale(values: pd.Series) -> bool:
    positive = values[values > 0]
    return len(positive) > 1 and positive.max() / positive.min() >= LOG_SCALE_RATIO


def top(comparison: pd.DataFrame, column_name: str, n: int) -> pd.DataFrame:
    """The n rows largest by a column (all of them when there are fewer), in group order."""
    keep = comparison.sort_values(column_name, ascending=False, kind="stable").head(n).index
    return comparison.loc[sorted(keep)].reset_index(drop=True)


def labelled(comparison: pd.DataFrame, column_name: str) -> pd.Series:
    return pd.Series(comparison[column_name].to_numpy(), index=comparison["label"].to_numpy(), name=column_name).dropna()


def _parts(share_of: str) -> list[tuple[str, str, str]]:
    return SPENDING_PARTS if share_of == "total" else [p for p in SPENDING_PARTS if p[2] == "administration"]


def comparison_parts(comparison: pd.DataFrame, share_of: str = "total") -> pd.DataFrame:
    """Document × part matrix of amounts (万元): parts of total expenditure, or of the bureau's own budget; a bureau
    missing a part is left out (its shares of the parts it has would be wrong; parts_left_out names it)."""
    parts = _parts(share_of)
    frame = pd.DataFrame({label: comparison[measure].to_numpy() for measure, label, _ in parts},
                         index=comparison["label"].to_numpy())
    return frame.dropna()


def parts_left_out(comparison: pd.DataFrame, share_of: str = "total") -> str:
    """Which bureaus a composition chart leaves out, and which parts they do not give (Chinese, then English)."""
    missing = []
    for label, row in zip(comparison["label"], comparison.to_dict("records"), strict=True):
        absent = [zh for measure, zh, _ in _parts(share_of) if pd.isna(row.get(measure))]
        if absent:
            missing.append(f"{markdown_text(label)}（{'、'.join(absent)}）")
    if not missing:
        return ""
    return (f"图中未列：{'；'.join(missing)}——文件未给出这些分项，占比无法计算。\n\n"
            f"Left out of this chart ({len(missing)}): parts the document does not give, so its shares cannot be "
            "computed.")


def personnel_shares(comparison: pd.DataFrame) -> pd.DataFrame:
    out = comparison[["personnel_share_of_total_pct", "personnel_share_of_admin_pct"]].copy()
    out.columns = ["占支出合计", "占部门自身预算"]
    out.index = comparison["label"].to_numpy()
    return out


def level1_mix(comparison: pd.DataFrame) -> pd.DataFrame:
    names = {"project_n_output": "产出指标", "project_n_effect": "效益指标", "project_n_satisfaction": "满意度指标",
             "project_n_cost": "成本指标"}
    out = comparison[list(names)].rename(columns=names).fillna(0)
    out.index = comparison["label"].to_numpy()
    return out


def contested_columns(comparison: pd.DataFrame, profile: pd.DataFrame) -> dict[str, set[str]]:
    """doc_id → measures whose value an error finding contests (spending_profile.contested_by)."""
    hit = profile[profile["contested_by"].fillna("") != ""]
    out: dict[str, set[str]] = {}
    for doc_id, measure in zip(hit["doc_id"], hit["measure"], strict=True):
        out.setdefault(doc_id, set()).add(measure)
    return out


def contested_note(comparison: pd.DataFrame, contested: dict[str, set[str]], measures: list[str]) -> str:
    """Which bureaus' figures in a chart an error finding contests (so the reader weighs them)."""
    hits = []
    for doc_id, label in zip(comparison["doc_id"], comparison["label"], strict=True):
        named = sorted(contested.get(doc_id, set()) & set(measures))
        if named:
            hits.append(f"{markdown_text(label)}（{'、'.join(column('comparison', m).zh for m in named)}）")
    if not hits:
        return "图中数字均无错误核对结果。\n\nNo figure in this chart is contested by an error finding."
    return ("图中以下数字存疑（见各局报告的核对结果）：" + "；".join(hits) + "。\n\n"
            f"Contested figures in this chart (see each bureau's findings): {len(hits)} bureau(s).")


def overview_table(comparison: pd.DataFrame, findings: pd.DataFrame) -> Table:
    frame = with_errors_by_cause(comparison, findings)
    return Table(frame, [Column("group", "分组", "group (kind · level · year)"),
                         *columns("comparison", ["doc_id", "bureau_name", "province", "fiscal_year",
                                                 "total_expenditure_wan", "transfers_share_pct",
                                                 "personnel_share_of_admin_pct", "headcount"],
                                  headcount=column("comparison", "headcount", kind="int",
                                                   missing="— 未披露 not disclosed")),
                         *(Column(n, zh, en, "int") for n, zh, en in list(CAUSE_COLUMNS.values())[:2]),
                         column("comparison", "n_unparsed")])


def per_staff_table(comparison: pd.DataFrame) -> Table:
    disclosed = comparison[comparison["headcount"].notna()]
    if disclosed.empty:
        from helpers.report.tables import note

        return note("没有文件披露在职人数。", "No document discloses its headcount.")
    return Table(disclosed, [Column("group", "分组", "group"), *columns(
        "comparison", ["bureau_name", "headcount", "personnel_total_wan", "admin_budget_wan", "personnel_per_staff_wan",
                       "admin_budget_per_staff_wan"], headcount=column("comparison", "headcount", kind="int"))])


def cost_table(comparison: pd.DataFrame) -> Table:
    return Table(comparison, [Column("group", "分组", "group"), *columns(
        "comparison", ["bureau_name", "three_public_wan", "operating_expenses_wan", "admin_budget_wan"])])


def _firsts(frame: pd.DataFrame, *keys: str) -> dict[tuple, dict]:
    """The first row (as a dict) of each combination of the key columns, in frame order: one pass over the frame
    instead of a filter per bureau and figure (2,400 filters took 28 s at 200 bureaus)."""
    names = list(frame.columns)
    out: dict[tuple, dict] = {}
    for values in zip(*(frame[n] for n in names), strict=True):
        row = dict(zip(names, values, strict=True))
        out.setdefault(tuple(row[k] for k in keys), row)
    return out


def year_on_year(comparison: pd.DataFrame, statements: pd.DataFrame, key_figures: pd.DataFrame) -> pd.DataFrame:
    """This year's figure (the table's key figure, else the comparison's), the previous year's (printed in a table,
    else stated in the narrative, else implied by the change the narrative states: this year − change) and the
    change in %."""
    ordered = statements.sort_values(["doc_id", "line"], kind="stable")
    changes = _firsts(ordered[ordered["kind"] == "change_amount"], "doc_id", "subject")
    stated_prev = _firsts(ordered[ordered["kind"] == "prev_amount"], "doc_id", "subject")
    given = _firsts(key_figures[(key_figures["source"] == "table") & key_figures["value_wan"].notna()],
                    "doc_id", "figure")
    rows = []
    for doc_id, label, group, values in zip(comparison["doc_id"], comparison["label"], comparison["group"],
                                            comparison.to_dict("records"), strict=True):
        for subject, zh, measure in YOY_FIGURES:
            this_year = given.get((doc_id, subject))
            now = this_year["value_wan"] if this_year else values.get(measure)
            if now is None or pd.isna(now):
                continue
            table = given.get((doc_id, f"{subject}_prev_year"))
            stated = stated_prev.get((doc_id, subject))
            change = changes.get((doc_id, subject))
            if table:
                previous = float(table["value_wan"])
                where = (f"{evidence.table_name(table['table_kind'])} "
                         f"{evidence.cite_line(table['page'], table['line'])}（上年数 printed）")
            elif stated:
                previous = float(stated["value"])
                where = f"情况说明 {evidence.cite_line(stated['page'], stated['line'])}（上年数 stated）"
            elif change:
                previous = now - float(change["value"])
                where = (f"情况说明 {evidence.cite_line(change['page'], change['line'])}"
                         "（本年数 − 增减额 this year − stated change）")
            else:
                continue
            difference = now - previous
            rows.append({"group": group, "label": label, "figure": zh, "now_wan": now, "previous_wan": previous,
                         "change_wan": difference, "change_pct": 100 * difference / previous if previous else None,
                         "where": where})
    return pd.DataFrame(rows, columns=["group", "label", "figure", "now_wan", "previous_wan", "change_wan", "change_pct",
                                       "where"])


def yoy_table(yoy: pd.DataFrame) -> Table:
    if yoy.empty:
        from helpers.report.tables import note

        return note("没有文件列出上年数。", "No document prints a previous-year figure.")
    return Table(yoy, [Column("group", "分组", "group"), Column("label", "单位", "bureau"), Column("figure", "项目", "figure"),
                       Column("now_wan", "本年（万元）", "this year", "wan"),
                       Column("previous_wan", "上年（万元）", "previous year", "wan"),
                       Column("change_wan", "增减（万元）", "change", "wan"),
                       Column("change_pct", "增减（%）", "change %", "pct", "— 上年为零 previous year zero"),
                       Column("where", "出处", "source of the previous year")])


def indicator_comparison_table(comparison: pd.DataFrame) -> Table:
    return Table(comparison, [Column("group", "分组", "group"), *columns(
        "comparison", ["bureau_name", "n_project_indicators", "n_department_indicators", "n_projects_with_targets",
                       "indicators_per_project", "project_quantitative_pct", "satisfaction_target_median_pct",
                       "projects_cost_matches_pct", "project_reused_within_doc_pct", "project_reused_across_docs_pct"],
        indicators_per_project=column("comparison", "indicators_per_project", kind="num1"))])


CAUSE_COLUMNS = {("error", "document"): ("errors_document", "错误：原文如此", "errors printed so"),
                 ("error", "extraction"): ("errors_extraction", "错误：提取丢失", "errors lost in extraction"),
                 ("warning", "document"): ("warnings_document", "警告：原文如此", "warnings printed so"),
                 ("warning", "extraction"): ("warnings_extraction", "警告：提取丢失", "warnings lost in extraction")}


def with_errors_by_cause(comparison: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """The comparison with each bureau's errors and warnings counted by cause (CAUSE_COLUMNS)."""
    shown = findings[findings["severity"].isin(["error", "warning"])]
    counts = shown.groupby(["doc_id", "severity", "cause"]).size().unstack(["severity", "cause"], fill_value=0)
    frame = comparison.copy()
    for key, (name, _, _) in CAUSE_COLUMNS.items():
        values = counts[key] if key in counts.columns else pd.Series(dtype="int64")
        frame[name] = frame["doc_id"].map(values).fillna(0).astype(int)
    return frame


def record_table(comparison: pd.DataFrame, findings: pd.DataFrame) -> Table:
    """Each bureau's errors and warnings, split by cause: printed so in the document vs lost in extraction."""
    frame = with_errors_by_cause(comparison, findings)
    frame["tables_missing"] = frame["tables_missing"].map(
        lambda kinds: "、".join(evidence.table_name(k) for k in str(kinds).split(";") if k) if pd.notna(kinds) else "")
    return Table(frame, [Column("group", "分组", "group"), column("comparison", "bureau_name"),
                         *(Column(n, zh, en, "int") for n, zh, en in CAUSE_COLUMNS.values()),
                         column("comparison", "n_unparsed"), column("comparison", "tables_missing", missing="")])


def full_table(comparison: pd.DataFrame) -> Table:
    from helpers.report.tables import dictionary

    names = dictionary().loc[dictionary()["table"] == "comparison", "column"].tolist()
    return Table(comparison, columns("comparison", [n for n in names if n in comparison]))
