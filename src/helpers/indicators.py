"""Indicator stage: performance targets (绩效目标) → classified indicators and a per-project summary.

Reads the tidy `indicators`, `projects` and `performance_budgets` tables, never the raw text. Every
classification comes from a map in maps/ and says which rule made it (`level2_rule`), so a reader can
check or extend it for a new province without touching code:

- indicator_level2_aliases.csv: printed 二级指标 → canonical name;
- indicator_level2_rules.csv: keyword, unit, target and default rules for a 二级指标 that is not printed;
- unit_families.csv: unit → family (and factor to 万元 for money);
- indicator_amount_labels.csv: which performance-table label gives a project's total amount.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from helpers.clean import match_name
from helpers.config import MAPS_DIR
from helpers.extract import squeeze

QUALITATIVE = "qualitative"
DIRECTIONS = {">=": "≥", ">": "≥", "<=": "≤", "<": "≤", "=": "=", "range": "range"}
# Fields a rule of indicator_level2_rules.csv can test: (column, first word of level2_rule, column shown after it
# instead of the matched text). A unit_family rule shows the unit, so one rule covers 人, 万人, 人次 … and reads unit:人.
RULE_FIELDS = {"indicator": ("indicator", "keyword", None), "unit": ("unit", "unit", None),
               "unit_family": ("unit_family", "unit", "unit"), "target": ("target_text", "target", None),
               "operator": ("operator", "operator", None), "default": (None, "default", None)}
UNMATCHED = "未分类"  # level2_norm of a row no rule classifies (a new 一级指标); unmatched_level2 lists them
LEVEL1_COUNTS = {"产出指标": "n_output", "效益指标": "n_effect", "满意度指标": "n_satisfaction", "成本指标": "n_cost",
                 "投入管理指标": "n_management"}
COST_LEVEL1 = "成本指标"
SATISFACTION_LEVEL1 = "满意度指标"
SATISFACTION_LEVEL2 = "服务对象满意度指标"
# Amounts are printed to 0.01 万元: two figures within half a cent agree.
AMOUNT_TOLERANCE_WAN = 0.005
NEW_COLUMNS = ["level2_norm", "level2_rule", "value_kind", "direction", "unit_family", "reuse_projects", "reuse_docs"]
SUMMARY_COLUMNS = [
    "doc_id", "scope", "project_name", "n_indicators", "n_output", "n_effect", "n_satisfaction", "n_cost",
    "n_management", "n_quantitative", "share_quantitative", "n_satisfaction_targets", "satisfaction_target_min_pct",
    "cost_target_wan", "amount_wan", "amount_source", "cost_matches_amount", "n_reused", "first_line",
]


@dataclass(frozen=True)
class Level2Rule:
    level1: str
    field: str
    pattern: re.Pattern | None
    level2: str


def _read_map(name: str, columns: list[str]) -> pd.DataFrame:
    table = pd.read_csv(MAPS_DIR / name, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"maps/{name} lacks columns {missing}")
    return table


@lru_cache(maxsize=1)
def level2_aliases() -> dict[str, str]:
    """Printed 二级指标 (whitespace removed) → canonical name."""
    table = _read_map("indicator_level2_aliases.csv", ["printed", "level2_norm", "note"])
    return {squeeze(p): n for p, n in zip(table["printed"], table["level2_norm"], strict=True)}


@lru_cache(maxsize=1)
def level2_rules() -> tuple[Level2Rule, ...]:
    """Inference rules in file order; the first that matches a row wins."""
    table = _read_map("indicator_level2_rules.csv", ["level1", "field", "pattern", "level2", "note"])
    canonical = set(level2_aliases().values())
    rules = []
    for row in table.itertuples(index=False):
        if row.field not in RULE_FIELDS:
            raise ValueError(f"indicator_level2_rules.csv: unknown field {row.field!r}")
        if row.level2 not in canonical:  # a rule may only give a name the alias map declares canonical
            raise ValueError(f"indicator_level2_rules.csv: {row.level2!r} is not a canonical 二级指标")
        pattern = re.compile(row.pattern) if row.field != "default" else None
        rules.append(Level2Rule(row.level1, row.field, pattern, row.level2))
    return tuple(rules)


@lru_cache(maxsize=1)
def unit_families() -> pd.DataFrame:
    table = _read_map("unit_families.csv", ["unit", "unit_family", "wan_factor", "note"])
    table["unit"] = table["unit"].map(squeeze)
    table["wan_factor"] = pd.to_numeric(table["wan_factor"].replace("", None))
    assert table["unit"].is_unique, "unit_families.csv lists a unit twice"
    return table.set_index("unit")


@lru_cache(maxsize=1)
def amount_label_patterns() -> tuple[re.Pattern, ...]:
    table = _read_map("indicator_amount_labels.csv", ["pattern", "note"])
    return tuple(re.compile(p) for p in table["pattern"])


def _text(value: object) -> str:
    return "" if pd.isna(value) else squeeze(str(value))


def classify_level2(level1: str, level2: str, fields: dict[str, str]) -> tuple[str, str]:
    """(level2_norm, level2_rule) of one indicator: the printed name if the alias map knows it, else the first rule."""
    printed = _text(level2)
    aliases = level2_aliases()
    if printed in aliases:
        norm = aliases[printed]
        return norm, "printed" if norm == printed else f"alias:{printed}"
    for rule in level2_rules():
        if rule.level1 != level1:
            continue
        column, word, shown = RULE_FIELDS[rule.field]
        if rule.pattern is None:
            return rule.level2, f"{word}:{level1}"
        hit = rule.pattern.search(fields.get(column, ""))
        if hit:
            return rule.level2, f"{word}:{fields[shown] if shown else hit.group(0)}"
    return UNMATCHED, f"unmatched:{level1}"


def add_level2(indicators: pd.DataFrame) -> pd.DataFrame:
    out = indicators.copy()
    columns = [c for c, _, _ in RULE_FIELDS.values() if c]
    pairs = [
        classify_level2(_text(row["level1"]), row["level2"], {c: _text(row[c]) for c in columns})
        for _, row in out.iterrows()
    ]
    out["level2_norm"] = pd.Series([p[0] for p in pairs], index=out.index, dtype="str")
    out["level2_rule"] = pd.Series([p[1] for p in pairs], index=out.index, dtype="str")
    return out


def add_value_kind(indicators: pd.DataFrame) -> pd.DataFrame:
    out = indicators.copy()
    numeric = out["operator"].ne(QUALITATIVE) & out["target_value"].notna()
    out["value_kind"] = numeric.map({True: "quantitative", False: QUALITATIVE}).astype("str")
    return out


def add_direction(indicators: pd.DataFrame) -> pd.DataFrame:
    """The printed 指标方向性 moves to direction_printed; direction is read from the operator."""
    out = indicators.rename(columns={"direction": "direction_printed"})
    out["direction"] = out["operator"].map(DIRECTIONS).astype("str")  # qualitative → NA
    return out


def add_unit_family(indicators: pd.DataFrame) -> pd.DataFrame:
    """Family of the unit of a numeric target; 'other' for a unit the map lacks (see unknown_units)."""
    out = indicators.copy()
    families = unit_families()["unit_family"]
    units = out["unit"].map(_text)
    family = units.map(families).where(units.eq("") | units.isin(families.index), "other")
    out["unit_family"] = family.where(out["value_kind"].eq("quantitative") & units.ne("")).astype("str")
    return out


def _reuse_key(indicators: pd.DataFrame) -> pd.Series:
    """Indicator name and target as printed, whitespace removed: what 'the same indicator' means."""
    return indicators["indicator"].map(_text) + "\t" + indicators["raw"].map(_text)


def _project_key(indicators: pd.DataFrame) -> pd.Series:
    return indicators["scope"].map(_text) + "\t" + indicators["project_name"].map(_text)


def count_reuse(enriched: pd.DataFrame) -> pd.DataFrame:
    """reuse_projects: projects of the document with the same indicator and target (the row's own included);
    reuse_docs: documents of the frame where it appears. Call on all documents at once for reuse_docs."""
    out = enriched.copy()
    keys = pd.DataFrame({"doc": out["doc_id"], "key": _reuse_key(out), "project": _project_key(out)}, index=out.index)
    out["reuse_projects"] = keys.groupby(["doc", "key"])["project"].transform("nunique").astype("Int64")
    out["reuse_docs"] = keys.groupby("key")["doc"].transform("nunique").astype("Int64")
    return out


def _strip_enrichment(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators as performance.py gives them, so that enriching an enriched frame changes nothing."""
    if "direction_printed" not in indicators.columns:
        return indicators
    kept = indicators.drop(columns=[c for c in NEW_COLUMNS if c in indicators.columns])
    return kept.rename(columns={"direction_printed": "direction"})


def enrich_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Same rows in the same order, plus canonical 二级指标, value kind, direction, unit family and reuse counts."""
    indicators = _strip_enrichment(indicators)
    # unit_family before level2: the level2 rules can look at a unit's family
    enriched = indicators.pipe(add_value_kind).pipe(add_direction).pipe(add_unit_family).pipe(add_level2).pipe(count_reuse)
    assert len(enriched) == len(indicators)
    columns = ["direction_printed" if c == "direction" else c for c in indicators.columns]
    return enriched[[*columns, *NEW_COLUMNS]]


def unknown_units(enriched: pd.DataFrame) -> pd.DataFrame:
    """Units of numeric targets that unit_families.csv lacks: add a row for each to the map."""
    units = enriched["unit"].map(_text)
    known = unit_families().index
    hits = enriched[enriched["value_kind"].eq("quantitative") & units.ne("") & ~units.isin(known)]
    return _list_values(hits.assign(unit=units[hits.index]), "unit")


def unknown_level2(enriched: pd.DataFrame) -> pd.DataFrame:
    """Printed 二级指标 the alias map lacks (the row was classified by the rules instead)."""
    printed = enriched["level2"].map(_text)
    hits = enriched[printed.ne("") & ~printed.isin(level2_aliases())]
    return _list_values(hits.assign(level2=printed[hits.index]), "level2")


def unmatched_level2(enriched: pd.DataFrame) -> pd.DataFrame:
    """Rows no alias or rule classified (their 一级指标 has no default rule)."""
    return enriched[enriched["level2_rule"].str.startswith("unmatched:")]


def _list_values(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    grouped = rows.groupby(column, sort=True)
    return pd.DataFrame({
        column: list(grouped.groups),
        "n_rows": grouped.size().to_numpy(),
        "doc_ids": grouped["doc_id"].agg(lambda s: " ".join(sorted(set(s)))).to_numpy(),
        "first_line": grouped["line"].min().to_numpy(),
    })


def _amount_rank(label: object) -> int | None:
    """Position of the first total-label pattern the label matches; None if it is not a total."""
    text = _text(label)
    return next((i for i, p in enumerate(amount_label_patterns()) if p.search(text)), None)


def project_amounts(performance_budgets: pd.DataFrame) -> pd.DataFrame:
    """Total amount of each (doc_id, scope, project_name) of the performance tables: the best-ranked total label."""
    columns = ["doc_id", "scope", "project_name", "line", "amount_wan", "amount_source"]
    if performance_budgets.empty:
        return pd.DataFrame(columns=columns)
    budgets = performance_budgets.assign(rank=performance_budgets["label"].map(_amount_rank))
    budgets = budgets[budgets["rank"].notna() & budgets["amount_wan"].notna()]
    budgets = budgets.assign(_name=budgets["project_name"].map(_text))
    best = budgets.sort_values(["rank", "line"]).drop_duplicates(["doc_id", "scope", "_name"])
    best = best.assign(amount_source="performance_budgets:" + best["label"].map(_text))
    return best.sort_values(["doc_id", "line"])[columns].reset_index(drop=True)


def _amount_from_projects(doc_id: str, name: str, projects: pd.DataFrame) -> float | None:
    if projects.empty or not name:
        return None
    rows = projects[projects["doc_id"].eq(doc_id) & projects["project_name"].notna()]
    hit = match_name(name, list(dict.fromkeys(rows["project_name"])))
    return None if hit is None else float(rows.loc[rows["project_name"].eq(hit), "amount_wan"].iloc[0])


def _cost_matches(costs: list[float], amount: float | None) -> bool | None:
    """A cost target agrees with the amount when one of them, or their sum, is within the tolerance."""
    if not costs or amount is None or pd.isna(amount):
        return None
    return any(abs(c - amount) <= AMOUNT_TOLERANCE_WAN for c in [*costs, sum(costs)])


def _indicator_flags(enriched: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, what the summaries count: computed once for the whole frame, then grouped."""
    quantitative = enriched["value_kind"].eq("quantitative")
    satisfaction = enriched["level1"].eq(SATISFACTION_LEVEL1) | enriched["level2_norm"].eq(SATISFACTION_LEVEL2)
    factors = enriched["unit"].map(_text).map(unit_families()["wan_factor"])
    money_cost = enriched["level1"].eq(COST_LEVEL1) & quantitative & enriched["unit_family"].eq("money") & factors.notna()
    flags = pd.DataFrame({
        "doc_id": enriched["doc_id"], "_scope": enriched["scope"].map(_text), "_name": enriched["project_name"].map(_text),
        "project_name": enriched["project_name"], "line": enriched["line"], "quantitative": quantitative,
        "satisfaction_pct": enriched["target_value"].where(satisfaction & quantitative & enriched["unit_family"].eq("percent")),
        "cost_wan": (enriched["target_value"] * factors).round(6).where(money_cost),
        "reused": ((enriched["reuse_projects"] > 1) | (enriched["reuse_docs"] > 1)).fillna(False).astype(bool),
    })
    for level1, column in LEVEL1_COUNTS.items():
        flags[column] = enriched["level1"].eq(level1)
    return flags


def summarize_indicators(enriched: pd.DataFrame, projects: pd.DataFrame, performance_budgets: pd.DataFrame) -> pd.DataFrame:
    """One row per project of the performance tables, and one per document for the department-wide table."""
    if enriched.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    flags = _indicator_flags(enriched)
    grouped = flags.groupby(["doc_id", "_scope", "_name"], sort=False)
    summary = grouped.agg(
        project_name=("project_name", "first"), n_indicators=("line", "size"),
        **{column: (column, "sum") for column in LEVEL1_COUNTS.values()},
        n_quantitative=("quantitative", "sum"), share_quantitative=("quantitative", "mean"),
        n_satisfaction_targets=("satisfaction_pct", "count"), satisfaction_target_min_pct=("satisfaction_pct", "min"),
        cost_target_wan=("cost_wan", lambda s: round(s.sum(), 6) if s.notna().any() else None),
        costs=("cost_wan", lambda s: s.dropna().tolist()), n_reused=("reused", "sum"), first_line=("line", "min"),
    ).reset_index()
    amounts = project_amounts(performance_budgets)
    found = {(d, _text(sc), _text(n)): (float(a), src) for d, sc, n, a, src in
             zip(amounts["doc_id"], amounts["scope"], amounts["project_name"], amounts["amount_wan"],
                 amounts["amount_source"], strict=True)}
    amount_values, sources = [], []
    for doc_id, scope, name in zip(summary["doc_id"], summary["_scope"], summary["_name"], strict=True):
        if (doc_id, scope, name) in found:
            amount, source = found[(doc_id, scope, name)]
        else:  # a project the performance tables give no total for: its amount in the project tables
            amount = _amount_from_projects(doc_id, name, projects) if scope == "project" else None
            source = "projects" if amount is not None else None
        amount_values.append(amount)
        sources.append(source)
    summary["amount_wan"], summary["amount_source"] = amount_values, sources
    summary["cost_matches_amount"] = [_cost_matches(c, a) for c, a in zip(summary["costs"], amount_values, strict=True)]
    summary["scope"] = summary["_scope"]
    summary = summary.sort_values(["doc_id", "first_line"], kind="stable")
    return _summary_types(summary.reset_index(drop=True))


def _summary_types(summary: pd.DataFrame) -> pd.DataFrame:
    out = summary[SUMMARY_COLUMNS].copy()
    for column in ["doc_id", "scope", "project_name", "amount_source"]:
        out[column] = out[column].astype("str")
    for column in [c for c in SUMMARY_COLUMNS if c.startswith("n_")] + ["first_line"]:
        out[column] = out[column].astype("Int64")
    for column in ["share_quantitative", "satisfaction_target_min_pct", "cost_target_wan", "amount_wan"]:
        out[column] = out[column].astype("float64")
    out["cost_matches_amount"] = out["cost_matches_amount"].astype("boolean")
    assert out["share_quantitative"].between(0, 1).all()  # a share of the project's own indicators
    return out
