"""Synthetic corpus for scale tests: perturbed copies of the bundled documents.

Each copy takes one bundled document and
- gives the bureau a new name (Chinese numerals, so the name never reads as an amount);
- multiplies every printed amount (table cells the pipeline reads as amounts, narrative
  amounts in 元/万元/亿元) by a whole factor, which keeps every sum and identity exact and
  every share and percentage true (percentages are left as printed);
- may print some table titles in another province's wording (maps/synth_title_variants.csv).
The raw folder is only read; the copies and their manifest go to another folder.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd

from helpers.config import MAPS_DIR
from helpers.io_raw import load_manifest, read_text
from helpers.mutation import Site, amount_sites
from helpers.numbers import normalise_text
from helpers.pipeline import process_document

CHINESE_DIGITS = "〇一二三四五六七八九"
FACTORS = (1, 2, 3, 4, 5)
PERCENT_AFTER_RE = re.compile(r"\s*[%％]")
NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# "…经费2024年16万": an amount inside a project name, scaled with the amounts so the name still agrees.
NAME_AMOUNT_RE = re.compile(r"(?<=\d{4}年)([0-9]+(?:\.[0-9]+)?)(?=万(?!元))")


@dataclass(frozen=True)
class Base:
    doc_id: str
    text: str
    meta: dict
    sites: tuple[Site, ...]


@cache
def title_variants() -> tuple[tuple[str, str], ...]:
    table = pd.read_csv(MAPS_DIR / "synth_title_variants.csv", dtype=str, keep_default_na=False)
    return tuple(zip(table["printed"], table["variant"], strict=True))


def load_bases(raw_dir: Path) -> list[Base]:
    """The bundled documents with every amount site the pipeline reads."""
    manifest = load_manifest(raw_dir)
    bases = []
    for row in manifest.to_dict("records"):
        path = raw_dir / f"{row['doc_id']}.txt"
        text = read_text(path).text
        frames = dict(process_document(row["doc_id"], path, manifest).frames)
        # A performance table's amount cell can equal a cost target of its row ("374.3" beside "≤374.3万元"):
        # the mutation tool leaves such cells alone; scaling must not, or the table stops matching the budget.
        budget_lines = set(frames["performance_budgets"]["line"])
        frames["indicators"] = frames["indicators"][~frames["indicators"]["line"].isin(budget_lines)]
        sites = tuple(s for s in amount_sites(text, frames) if not _is_percent(text, s))
        bases.append(Base(row["doc_id"], text, row, sites))
    return bases


def _is_percent(text: str, site: Site) -> bool:
    line = text.split("\n")[site.line - 1]
    return bool(PERCENT_AFTER_RE.match(line, site.end))


def scale_printed(printed: str, factor: int) -> str:
    """An amount as printed, multiplied, in the same style (thousands commas, number of decimals).
    A form the scaling cannot keep (a dash for zero, digits split by a space) is printed plainly."""
    digits = normalise_text(printed).replace(",", "").replace(" ", "")
    if not NUMBER_RE.fullmatch(digits):
        return printed  # "—", "-": zero, and zero times anything
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    value = Decimal(digits) * factor
    text = f"{value:,.{decimals}f}" if "," in printed else f"{value:.{decimals}f}"
    return text


def chinese_number(n: int) -> str:
    return "".join(CHINESE_DIGITS[int(d)] for d in str(n))


def perturb(base: Base, number: int, rng: random.Random) -> tuple[str, dict]:
    """The text and manifest row of synthetic document `number` made from `base`."""
    factor = rng.choice(FACTORS)
    lines = base.text.split("\n")
    by_line: dict[int, list[Site]] = {}
    for site in base.sites:
        by_line.setdefault(site.line, []).append(site)
    for line, sites in by_line.items():
        raw = lines[line - 1]
        for site in sorted(sites, key=lambda s: s.start, reverse=True):  # right to left: spans stay valid
            raw = raw[:site.start] + scale_printed(site.text, factor) + raw[site.end:]
        lines[line - 1] = raw
    text = NAME_AMOUNT_RE.sub(lambda m: scale_printed(m.group(1), factor), "\n".join(lines))
    name = f"样本{chinese_number(number)}区医疗保障局"
    old_name = str(base.meta["bureau_name"]).replace("（本级）", "")
    text = text.replace(old_name, name)
    for printed, variant in title_variants():
        if printed in text and rng.random() < 0.5:
            text = text.replace(printed, variant)
    doc_id = f"synth-{number:05d}_{base.meta['fiscal_year']}"
    row = {**base.meta, "doc_id": doc_id, "bureau_name": name, "county": name[:-6], "source_file": f"{doc_id}.txt",
           "sha256": "", "synth_base": base.doc_id, "synth_factor": factor}
    return text, row


def generate(raw_dir: Path, out_dir: Path, n: int, seed: int = 1) -> pd.DataFrame:
    """Write n synthetic documents and their manifest to out_dir (which must be empty or new)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir}: not empty; synthetic documents go to a new folder")
    bases = load_bases(raw_dir)
    rng = random.Random(seed)
    rows = []
    for number in range(1, n + 1):
        text, row = perturb(bases[(number - 1) % len(bases)], number, rng)
        (out_dir / row["source_file"]).write_text(text, encoding="utf-8")
        rows.append(row)
    manifest = pd.DataFrame(rows)
    manifest.drop(columns=["synth_base", "synth_factor"]).to_csv(out_dir / "manifest.csv", index=False)
    return manifest
