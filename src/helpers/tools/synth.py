"""Synthetic corpus for scale tests: perturbed copies of the bundled documents.

Each copy takes one bundled document and
- gives the bureau a new name (Chinese numerals, so the name never reads as an amount);
- multiplies every printed amount (table cells, narrative amounts in 元/万元/亿元) by a whole
  factor, which keeps every sum and identity exact and every share and percentage true
  (percentages are left as printed); a document whose tables differ by rounding keeps factor 1,
  since scaling would turn a 0.01 rounding difference into an error;
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
from helpers.ingest.manifest import load_manifest
from helpers.ingest.raw_text import read_text
from helpers.pipeline.document import process_document
from helpers.tables.context import PERFORMANCE_KINDS
from helpers.tables.numbers import is_amount, normalise_text, parse_amount, to_wan
from helpers.tables.split import extract_document
from helpers.tools.mutation import (
    FLOAT_DIGITS,
    LEADING_ZERO_RE,
    MONEY_UNITS,
    Site,
    amounts_read,
    codes_by_line,
    narrative_amount_sites,
)

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
    exact: bool  # its tables add up to the cent: scaling cannot turn a rounding difference into an error


@cache
def title_variants() -> tuple[tuple[str, str], ...]:
    table = pd.read_csv(MAPS_DIR / "synth_title_variants.csv", dtype=str, keep_default_na=False)
    return tuple(zip(table["printed"], table["variant"], strict=True))


def load_bases(raw_dir: Path) -> list[Base]:
    """The bundled documents with every amount site to scale."""
    manifest = load_manifest(raw_dir)
    bases = []
    for row in manifest.to_dict("records"):
        path = raw_dir / f"{row['doc_id']}.txt"
        text = read_text(path).text
        frames = process_document(row["doc_id"], path, manifest).frames
        sites = {(s.line, s.start): s for s in table_sites(text, frames) + narrative_sites(text)}  # a row read twice
        findings = frames["findings"]
        exact = not (findings["check"].str.startswith("table.") & (findings["severity"] == "info")).any()
        bases.append(Base(row["doc_id"], text, row, tuple(sites.values()), exact))
    return bases


def table_sites(text: str, frames: dict[str, pd.DataFrame]) -> list[Site]:
    """The amount cells of every table row, as raw tab-separated pieces (a realigned row's cleaned cells move).

    In budget tables every amount-like piece is an amount except the codes of its line (parts the pipeline sums, such
    as 工资福利 + 对个人和家庭的补助 = 人员经费, are amounts it never reads alone). In performance tables only the
    cells whose value the pipeline read as an amount count: the other numbers are targets and weights."""
    read, codes = amounts_read(frames), codes_by_line(frames)
    lines = text.split("\n")
    sites = []
    for table in extract_document(text).tables:
        budget_table = table.kind not in PERFORMANCE_KINDS
        for row in table.body:
            values, line_codes = read.get(row.line, set()), codes.get(row.line, set())
            start = 0
            for piece in lines[row.line - 1].split("\t"):
                cell = piece.strip()
                if _is_amount_cell(cell, values, line_codes, budget_table):
                    offset = start + piece.index(cell)
                    sites.append(Site(row.line, offset, offset + len(cell), cell, f"table:{table.kind}"))
                start += len(piece) + 1
    return sites


def _is_amount_cell(cell: str, values: set[float], codes: set[str], budget_table: bool) -> bool:
    if not cell or not any(ch.isdigit() for ch in cell) or not is_amount(cell):
        return False
    text = normalise_text(cell)
    if LEADING_ZERO_RE.fullmatch(text) or ("." not in text and any(text in code for code in codes)):
        return False  # a code, or the class part of one printed in its own cell ("301" | "08" of 30108)
    if budget_table:
        return True
    value = parse_amount(cell)
    return any(round(float(to_wan(value, unit)), FLOAT_DIGITS) in values for unit in MONEY_UNITS)


def narrative_sites(text: str) -> list[Site]:
    """Narrative amounts in 元/万元/亿元 (percentages are shares: uniform scaling keeps them true)."""
    lines = text.split("\n")
    sites = [s for number, _ in extract_document(text).narrative for s in narrative_amount_sites(number, lines)]
    return [s for s in sites if not PERCENT_AFTER_RE.match(lines[s.line - 1], s.end)]


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
    # A table whose parts differ from its total by rounding (0.01) would, scaled by 5, differ by 0.05: an error.
    factor = rng.choice(FACTORS) if base.exact else 1
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
