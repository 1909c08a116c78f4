"""Indicator stage: performance targets (绩效目标) → classified indicators and a per-project summary.

Reads the tidy `indicators`, `projects` and `performance_budgets` tables, never the raw text. Every
classification comes from a map in maps/ and says which rule made it (`level2_rule`), so a reader can
check or extend it for a new province without touching code:

- indicator_level2_aliases.csv: printed 二级指标 → canonical name;
- indicator_level2_rules.csv: keyword, unit, target and default rules for a 二级指标 that is not printed;
- unit_families.csv: unit → family (and factor to 万元 for money);
- indicator_amount_labels.csv: which performance-table label gives a project's total amount;
- indicator_rate_words.csv: words of an indicator name that make a money target a rate (人均, 单人成本 …).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.checks.records import column_list, column_lists, is_missing
from helpers.config import MAPS_DIR
from helpers.frames import arranged, column_values, frame_of, integer_array, owned, text_array
from helpers.tables.names import match_name
from helpers.tables.split import squeeze

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


@lru_cache(maxsize=1)
def rate_words() -> re.Pattern:
    """Words of an indicator's name that make a money target a per-person or per-unit rate."""
    table = _read_map("indicator_rate_words.csv", ["pattern", "note"])
    return re.compile("|".join(f"(?:{p})" for p in table["pattern"]))


def _text(value: object) -> str:
    if isinstance(value, str):  # the common case, without pd.isna's dispatch
        return squeeze(value)
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


def _level2_pairs(lists: dict[str, list], families: list[str | None]) -> list[tuple[str, str]]:
    """(level2_norm, level2_rule) of each row (lists: the indicator columns; families: each row's unit family)."""
    columns = [c for c, _, _ in RULE_FIELDS.values() if c]
    texts = [list(map(_text, families if c == "unit_family" else lists[c])) for c in columns]
    return [classify_level2(_text(level1), level2, dict(zip(columns, values, strict=True)))
            for level1, level2, *values in zip(lists["level1"], lists["level2"], *texts, strict=True)]


def _value_kinds(operators: list, targets: list) -> list[str]:
    """Quantitative where the operator is not qualitative and a target value was read."""
    return ["quantitative" if op != QUALITATIVE and not is_missing(t) else QUALITATIVE
            for op, t in zip(operators, targets, strict=True)]


def _family(kind: str, unit: str, name: str, families: dict[str, str]) -> str | None:
    if kind != "quantitative" or not unit:
        return None
    family = families.get(unit, "other")
    # 公务接待单人成本 ≤150 元: the unit says 元 but the name says per person, a rate and not an amount
    return "money_rate" if family == "money" and rate_words().search(name) else family


def _unit_families(kinds: list[str], units: list, names: list) -> list[str | None]:
    """Family of the unit of a numeric target; 'other' for a unit the map lacks (see unknown_units); a money target
    whose indicator name says per person or per unit (maps/indicator_rate_words.csv) is a money_rate."""
    families = unit_families()["unit_family"].to_dict()
    return [_family(kind, unit, name, families)
            for kind, unit, name in zip(kinds, map(_text, units), map(_text, names), strict=True)]


def reuse_keys(indicators: pd.DataFrame) -> list[str]:
    """Indicator name and target as printed, whitespace removed (the extraction's spacing: ≥9 0% is ≥90%): what
    'the same indicator' means."""
    return _reuse_keys(column_list(indicators["indicator"]), column_list(indicators["raw"]))


def _reuse_keys(names: list, raws: list) -> list[str]:
    return [f"{_text(i)}\t{_text(r)}" for i, r in zip(names, raws, strict=True)]


def _reuse_counts(lists: dict[str, list]) -> tuple[list[int | None], list[int]]:
    """(reuse_projects, reuse_docs) of each row, from its doc_id, indicator, raw, scope and project_name."""
    # Sets in dicts rather than groupby().transform("nunique"): the same counts, a tenth of the time.
    docs = [None if is_missing(d) else d for d in lists["doc_id"]]  # a row without doc_id counts for nothing (NA)
    keys = _reuse_keys(lists["indicator"], lists["raw"])
    projects = [f"{_text(s)}\t{_text(n)}" for s, n in zip(lists["scope"], lists["project_name"], strict=True)]
    projects_of: dict[tuple[str, str], set[str]] = {}
    docs_of: dict[str, set[str]] = {}
    for doc, key, project in zip(docs, keys, projects, strict=True):
        docs_of.setdefault(key, set())
        if doc is not None:
            projects_of.setdefault((doc, key), set()).add(project)
            docs_of[key].add(doc)
    return ([None if d is None else len(projects_of[(d, k)]) for d, k in zip(docs, keys, strict=True)],
            [len(docs_of[k]) for k in keys])


REUSE_COLUMNS = ("doc_id", "indicator", "raw", "scope", "project_name")


def count_reuse(enriched: pd.DataFrame) -> pd.DataFrame:
    """reuse_projects: projects of the document with the same indicator and target (the row's own included);
    reuse_docs: documents of the frame where it appears. Call on all documents at once for reuse_docs."""
    out = enriched.copy(deep=False)  # copy-on-write: new columns never touch the caller's frame
    by_projects, by_docs = _reuse_counts(column_lists(out, REUSE_COLUMNS))
    out["reuse_projects"] = pd.array(by_projects, dtype="Int64")
    out["reuse_docs"] = pd.array(by_docs, dtype="Int64")
    return out


def _strip_enrichment(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators as performance.py gives them, so that enriching an enriched frame changes nothing."""
    if "direction_printed" not in indicators.columns:
        return indicators
    kept = indicators.drop(columns=[c for c in NEW_COLUMNS if c in indicators.columns])
    return kept.rename(columns={"direction_printed": "direction"})


ENRICH_COLUMNS = ("doc_id", "scope", "project_name", "level1", "level2", "indicator", "operator", "target_value",
                  "unit", "target_text", "raw")


def enrich_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Same rows in the same order, plus canonical 二级指标, value kind, direction, unit family and reuse counts.
    The printed 指标方向性 moves to direction_printed; direction is read from the operator."""
    indicators = _strip_enrichment(indicators)
    # Each new column from plain lists, set once: a frame step per column cost more than the classification.
    lists = column_lists(indicators, ENRICH_COLUMNS)
    kinds = _value_kinds(lists["operator"], lists["target_value"])
    families = _unit_families(kinds, lists["unit"], lists["indicator"])  # before level2: its rules may read it
    pairs = _level2_pairs(lists, families)
    by_projects, by_docs = _reuse_counts(lists)
    new = {"level2_norm": text_array([p[0] for p in pairs]),
           "level2_rule": text_array([p[1] for p in pairs]),
           "value_kind": text_array(kinds),
           "direction": text_array([DIRECTIONS.get(op) for op in lists["operator"]]),  # qualitative → NA
           "unit_family": text_array(families),
           "reuse_projects": integer_array(by_projects), "reuse_docs": integer_array(by_docs)}
    # 指标方向性 as printed renamed in its place, the new columns after (one frame built, no rename step)
    printed = {"direction_printed": owned(column_values(indicators, "direction"))} if "direction" in indicators else {}
    columns = [("direction_printed" if c == "direction" else c) for c in indicators.columns]
    return arranged(indicators, [*columns, *NEW_COLUMNS], {**printed, **new})


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


def _project_amount_lookup(projects: pd.DataFrame) -> dict[str, tuple[list[str], dict[str, float]]]:
    """Per document: its distinct project names (in table order, for match_name) and each name's first amount.
    Built once per summary instead of filtering the projects table for every project without a total."""
    lookup: dict[str, tuple[list[str], dict[str, float]]] = {}
    if projects.empty:
        return lookup
    lists = column_lists(projects, ("doc_id", "project_name", "amount_wan"))
    for doc_id, name, amount in zip(lists["doc_id"], lists["project_name"], lists["amount_wan"], strict=True):
        if pd.isna(name):
            continue
        names, amounts = lookup.setdefault(doc_id, ([], {}))
        if name not in amounts:
            names.append(name)
            amounts[name] = amount
    return lookup


def _amount_from_projects(doc_id: str, name: str, lookup: dict[str, tuple[list[str], dict[str, float]]]) -> float | None:
    if not name or doc_id not in lookup:
        return None
    names, amounts = lookup[doc_id]
    hit = match_name(name, names)
    return None if hit is None else float(amounts[hit])


def _best_totals(performance_budgets: pd.DataFrame) -> dict[tuple[str, str, str], tuple[float, str]]:
    """(doc_id, scope, name) → (amount, source): the rows project_amounts keeps, read with plain lists.
    A later row (in doc_id, line order) wins when two scopes differ only by whitespace, as the frame version did."""
    if performance_budgets.empty:
        return {}
    best: dict[tuple, tuple[int, int, int]] = {}  # dedup key → (rank, line, position): the smallest wins
    columns = [column_list(performance_budgets[c]) for c in ("doc_id", "scope", "project_name", "label", "line", "amount_wan")]
    for pos, (doc_id, scope, name, label, line, amount) in enumerate(zip(*columns, strict=True)):
        rank = _amount_rank(label)
        if rank is None or pd.isna(amount):
            continue
        key = (doc_id, None if pd.isna(scope) else scope, _text(name))
        if key not in best or (rank, line, pos) < best[key]:
            best[key] = (rank, line, pos)
    kept = sorted((columns[0][pos], line, rank, pos) for rank, line, pos in best.values())
    found: dict[tuple[str, str, str], tuple[float, str]] = {}
    for doc_id, _, _, pos in kept:
        key = (doc_id, _text(columns[1][pos]), _text(columns[2][pos]))
        found[key] = (float(columns[5][pos]), "performance_budgets:" + _text(columns[3][pos]))
    return found


def _cost_matches(costs: list[float], amount: float | None) -> bool | None:
    """A cost target agrees with the amount when one of them, or their sum, is within the tolerance."""
    if not costs or amount is None or pd.isna(amount):
        return None
    return any(abs(c - amount) <= AMOUNT_TOLERANCE_WAN for c in [*costs, sum(costs)])


def _reused(enriched: pd.DataFrame) -> list[bool]:
    """Whether each indicator appears verbatim in another project or another document."""
    return ((enriched["reuse_projects"].to_numpy(dtype="float64", na_value=np.nan) > 1)
            | (enriched["reuse_docs"].to_numpy(dtype="float64", na_value=np.nan) > 1)).tolist()


def recount_reused(summary: pd.DataFrame, enriched: pd.DataFrame) -> pd.DataFrame:
    """The summary with n_reused counted again from indicators whose reuse was recounted over more documents (of
    one document or of several: counted per document)."""
    counts: dict[tuple[str, str, str], int] = {}
    lists = column_lists(enriched, ("doc_id", "scope", "project_name"))
    printed, key = None, ("", "", "")
    for row, flag in zip(zip(lists["doc_id"], lists["scope"], lists["project_name"], strict=True), _reused(enriched),
                         strict=True):
        if row != printed:  # a project's indicators are rows in a row: its key is read once
            printed, key = row, (_text(row[0]), _text(row[1]), _text(row[2]))
        counts[key] = counts.get(key, 0) + flag
    rows = column_lists(summary, ("doc_id", "scope", "project_name"))
    out = summary.copy(deep=False)
    out["n_reused"] = pd.array([counts.get((_text(d), _text(s), _text(n)), 0) for d, s, n in
                                zip(rows["doc_id"], rows["scope"], rows["project_name"], strict=True)], dtype="Int64")
    return out


def _indicator_flags(enriched: pd.DataFrame) -> dict[str, list]:
    """Per indicator, what the summaries count, as plain lists (one pass of numpy, then grouped in Python:
    a pandas groupby with lambdas cost more than the rest of the summary)."""
    lists = column_lists(enriched, ("doc_id", "scope", "project_name", "line", "value_kind", "level1", "level2_norm",
                                    "unit_family", "unit"))
    value_kind, level1, level2, unit_family = (lists[c] for c in ("value_kind", "level1", "level2_norm", "unit_family"))
    quantitative = [k == "quantitative" for k in value_kind]
    target = enriched["target_value"].to_numpy(dtype="float64", na_value=np.nan)
    factor_of = unit_families()["wan_factor"].to_dict()
    factors = np.array([factor_of.get(u, np.nan) for u in map(_text, lists["unit"])], dtype="float64")
    costs = np.round(target * factors, 6)  # numpy's rounding, as Series.round did
    flags: dict[str, list] = {
        "doc_id": lists["doc_id"], "_scope": list(map(_text, lists["scope"])),
        "_name": list(map(_text, lists["project_name"])), "project_name": lists["project_name"],
        "line": lists["line"], "level1": level1, "quantitative": quantitative, "reused": _reused(enriched),
        "satisfaction_pct": [t if q and f == "percent" and (l1 == SATISFACTION_LEVEL1 or l2 == SATISFACTION_LEVEL2) else np.nan
                             for t, q, f, l1, l2 in zip(target.tolist(), quantitative, unit_family, level1, level2, strict=True)],
        "cost_wan": [c if q and f == "money" and l1 == COST_LEVEL1 and not np.isnan(x) else np.nan
                     for c, x, q, f, l1 in zip(costs.tolist(), factors.tolist(), quantitative, unit_family, level1, strict=True)],
    }
    return flags


def _summarize_group(flags: dict[str, list], rows: list[int]) -> dict:
    """The counts of one project's indicators (rows: their positions, in order)."""
    level1 = [flags["level1"][i] for i in rows]
    quantitative = sum(flags["quantitative"][i] for i in rows)
    satisfaction = [v for v in (flags["satisfaction_pct"][i] for i in rows) if not np.isnan(v)]
    all_costs = [flags["cost_wan"][i] for i in rows]
    costs = [c for c in all_costs if not np.isnan(c)]
    names = [n for n in (flags["project_name"][i] for i in rows) if not pd.isna(n)]
    return {
        "project_name": names[0] if names else None, "n_indicators": len(rows),
        **{column: level1.count(name) for name, column in LEVEL1_COUNTS.items()},
        "n_quantitative": quantitative, "share_quantitative": quantitative / len(rows),
        "n_satisfaction_targets": len(satisfaction), "satisfaction_target_min_pct": min(satisfaction, default=None),
        # np.nansum over the group (NaN as 0) and numpy's round: the same float Series.sum and round gave
        "cost_target_wan": round(np.nansum(np.array(all_costs, dtype="float64")), 6) if costs else None,
        "costs": costs, "n_reused": sum(flags["reused"][i] for i in rows),
        "first_line": min(flags["line"][i] for i in rows),
    }


def summarize_indicators(enriched: pd.DataFrame, projects: pd.DataFrame, performance_budgets: pd.DataFrame) -> pd.DataFrame:
    """One row per project of the performance tables, and one per document for the department-wide table."""
    if enriched.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    flags = _indicator_flags(enriched)
    groups: dict[tuple[str, str, str], list[int]] = {}  # in order of first appearance
    for i, key in enumerate(zip(flags["doc_id"], flags["_scope"], flags["_name"], strict=True)):
        groups.setdefault(key, []).append(i)
    found = _best_totals(performance_budgets)
    lookup = _project_amount_lookup(projects)
    rows = []
    for (doc_id, scope, name), members in groups.items():
        row = {"doc_id": doc_id, "scope": scope, **_summarize_group(flags, members)}
        if (doc_id, scope, name) in found:
            row["amount_wan"], row["amount_source"] = found[(doc_id, scope, name)]
        else:  # a project the performance tables give no total for: its amount in the project tables
            amount = _amount_from_projects(doc_id, name, lookup) if scope == "project" else None
            row["amount_wan"], row["amount_source"] = amount, "projects" if amount is not None else None
        row["cost_matches_amount"] = _cost_matches(row["costs"], row["amount_wan"])
        rows.append(row)
    rows.sort(key=lambda r: (r["doc_id"], r["first_line"]))  # stable, as sort_values(kind="stable")
    return _summary_types(rows)


def _summary_types(rows: list[dict]) -> pd.DataFrame:
    """The summary rows as a frame of fixed column types, built from one array per column (no object frame to
    convert, no Series to align)."""
    out = {}
    for column in SUMMARY_COLUMNS:
        values = [r[column] for r in rows]
        if column in ("doc_id", "scope", "project_name", "amount_source"):
            out[column] = text_array(values)
        elif column.startswith("n_") or column == "first_line":
            out[column] = integer_array(values)
        elif column == "cost_matches_amount":
            out[column] = pd.array(values, dtype="boolean")
        else:
            out[column] = np.array(values, dtype="float64")
    assert ((out["share_quantitative"] >= 0) & (out["share_quantitative"] <= 1)).all()  # of the project's own
    return frame_of(out, len(rows))
