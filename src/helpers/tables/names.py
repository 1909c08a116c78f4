"""Project names across tables: the same project printed with spacing, 年度, 项目, 费用/费 or a stated amount
that differ; the codes performance tables give, attached to the budget's projects.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache

import pandas as pd

from helpers.frames import column_values, with_columns
from helpers.tables.numbers import normalise_text

# A project name's trailing amount (…2024年106万) and the words and marks name_key ignores.
NAME_AMOUNT_RE = re.compile(r"\d{4}年\d+(?:\.\d+)?万元?$")
NAME_NOISE_RE = re.compile(r"年度|项目$|费用|[“”\"'（）()、，,·\-－—]")


def match_name(name: str, candidates: list[str]) -> str | None:
    """The candidate naming the same project: equal once normalised, else the closest."""
    key = name_key(name)
    keyed = {name_key(c): c for c in candidates}
    if key in keyed:
        return keyed[key]
    close = difflib.get_close_matches(key, list(keyed), n=1, cutoff=0.85)
    return keyed[close[0]] if close else None


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    # Cached: matching compares every project name with every candidate's.
    text = normalise_text(str(name))
    text = NAME_AMOUNT_RE.sub("", text)  # …2024年106万: the amount is not the name
    return NAME_NOISE_RE.sub("", text).replace("费", "")


def attach_project_codes(projects: pd.DataFrame, perf: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The projects with the project codes given by performance tables, matched on the normalised name."""
    if projects.empty:
        return projects
    codes = _first_codes(column_values(perf, "project_name").tolist(), column_values(perf, "project_code").tolist())
    matched = [match_name(name, list(codes)) for name in column_values(projects, "project_name").tolist()]
    return with_columns(projects, {"project_code": [codes.get(m) if m else None for m in matched],
                                   "performance_name": matched})


def _first_codes(names: list, codes: list) -> dict:
    """Name → code of the first row of each name that has a code (all missing names are one name, as
    drop_duplicates has them): plain lists, as a frame's dropna and drop_duplicates cost more than the matching."""
    first: dict = {}
    missing_seen = False
    for name, code in zip(names, codes, strict=True):
        if pd.isna(code):
            continue
        if pd.isna(name):
            if missing_seen:
                continue
            missing_seen = True
        elif name in first:
            continue
        first[name] = code
    return first
