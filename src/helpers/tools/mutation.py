"""Mutation testing of the reconciliation: change one printed amount, see whether a finding names it.

A mutation copies a document, changes one amount of a table or of the narrative by a realistic
typo (one digit, or a small addition or subtraction) and runs the pipeline on the copy. The
mutation is caught when the copy has a finding the original has not (compared on check, refs,
message, expected, actual) whose ``lines`` contains the changed line. ``data/raw`` is never
written: copies go to a temporary folder.

Sampling is stratified by document: ``n`` is split evenly over the documents (the remainder goes
to randomly chosen ones) and, within a document, sites are drawn uniformly without replacement
(a document with fewer sites than its share has some sites mutated twice, by different typos).
"""
from __future__ import annotations

import codecs
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from helpers.errors import DocumentError
from helpers.ingest.manifest import load_manifest
from helpers.ingest.raw_text import read_text
from helpers.ingest.sources import discover, kind_of
from helpers.pipeline.document import process_document
from helpers.tables.numbers import is_amount, normalise_text, parse_amount, to_wan
from helpers.tables.split import extract_document

# A finding is the same in both runs when these agree (its line numbers do not move: a typo keeps the line count).
FINDING_KEY = ["check", "refs", "message", "expected", "actual"]
RESULT_COLUMNS = [
    "doc_id", "line", "region", "old", "new", "typo", "caught", "new_checks", "unnamed_checks", "error", "line_text",
]
AMOUNT_FRAMES = ["budget_lines", "economic_lines", "projects"]
CODE_COLUMNS = ["func_code", "func_class", "func_kuan", "func_xiang", "unit_code", "econ_code", "gov_econ_code",
                "project_code"]
ECON_CODE_COLUMNS = {"econ_code", "gov_econ_code"}
# Tables print amounts in any of these; comparing every conversion spares knowing the table's unit.
MONEY_UNITS = ("元", "千元", "万元", "亿元")
DIGITS = "0123456789"
FULLWIDTH_DIGITS = "０１２３４５６７８９"
PLAIN_NUMBER_RE = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
# A narrative amount: a number directly followed by a money unit or %, or by 万 ending the line
# when the next line starts with 元 (the extraction breaks "80.05万元" over two lines).
NARRATIVE_AMOUNT_RE = re.compile(
    r"(?<![0-9.,])(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
    r"\s*(?:亿元|万元|元|%|％|(?P<split>[万亿])\s*$)"
)
# "单价50万元以上通用设备": a threshold of a standard phrase, not an amount of this budget.
THRESHOLD_RE = re.compile(r"\s*(?:以上|以下|以内)")
LEADING_ZERO_RE = re.compile(r"0[0-9]+")  # "05": a code; amounts never start with a zero
TAB_RE = re.compile(r"\s*\t\s*")
# A small addition or subtraction, as a share of the value (at least one unit of the last printed digit).
MIN_SHIFT, MAX_SHIFT = 0.0001, 0.10
FLOAT_DIGITS = 6  # processed amounts are floats in 万元; 6 decimals hold 0.01 元


@dataclass(frozen=True)
class Site:
    """A printed amount: its line, character span on that line, printed text and region."""

    line: int
    start: int
    end: int
    text: str
    region: str  # "table:<kind>" or "narrative"


def amount_sites(text: str, frames: dict[str, pd.DataFrame]) -> list[Site]:
    """Every amount of a document: table cells the pipeline read as amounts, narrative amounts.

    ``frames`` are the processed frames of this text (``process_document(...).frames``); a table
    cell counts only when they hold its value on its line, which leaves out codes, indicator targets
    and weights.
    """
    lines = text.split("\n")
    doc = extract_document(text)
    read = amounts_read(frames)
    not_amounts = _merge(codes_by_line(frames), _indicator_texts(frames.get("indicators")))
    # A cell the pipeline listed as unparsed is not read as an amount, whatever its twins on the line.
    left = frames.get("unparsed", pd.DataFrame(columns=["line", "column"])).dropna(subset=["column"])
    unparsed = {(int(r.line), int(r.column)) for r in left.itertuples()}
    sites: list[Site] = []
    for table in doc.tables:
        for row in table.body:
            pieces = lines[row.line - 1].split("\t")  # cells are the pieces, cleaned
            for col, cell in enumerate(row.cells):
                if (row.line, col) in unparsed:
                    continue
                where = pieces[col].find(cell)
                if where >= 0 and _is_read_amount(cell, read.get(row.line, set()), not_amounts.get(row.line, set())):
                    start = sum(len(p) + 1 for p in pieces[:col]) + where
                    sites.append(Site(row.line, start, start + len(cell), cell, f"table:{table.kind}"))
    for number, _ in doc.narrative:
        sites += narrative_amount_sites(number, lines)
    return sorted(sites, key=lambda s: (s.line, s.start))


def amounts_read(frames: dict[str, pd.DataFrame]) -> dict[int, set[float]]:
    """Amounts (万元) the pipeline read from each line of a table."""
    values: dict[int, set[float]] = {}
    for name in AMOUNT_FRAMES:
        frame = frames.get(name, pd.DataFrame())
        _add_values(values, frame, [c for c in frame.columns if c.endswith("_wan")])
    _add_values(values, frames.get("performance_budgets", pd.DataFrame()), ["amount_wan"])
    figures = frames.get("key_figures")
    if figures is not None:
        # project_count counts rows; it is not printed on the line it points to.
        _add_values(values, figures[(figures["source"] == "table") & (figures["figure"] != "project_count")], ["value_wan"])
    return values


def _add_values(values: dict[int, set[float]], frame: pd.DataFrame, columns: list[str]) -> None:
    if "line" not in frame:
        return
    for column in columns:
        for line, value in zip(frame["line"], frame[column], strict=True):
            if pd.notna(value):
                values.setdefault(int(line), set()).add(round(float(value), FLOAT_DIGITS))


def codes_by_line(frames: dict[str, pd.DataFrame]) -> dict[int, set[str]]:
    """Code texts of each line; economic codes also by their item digits (30112 is printed 301 | 12)."""
    found: dict[int, set[str]] = {}
    for frame in frames.values():
        for column in (c for c in CODE_COLUMNS if c in frame and "line" in frame):
            for line, code in zip(frame["line"], frame[column], strict=True):
                if pd.notna(code) and str(code):
                    code = str(code)
                    parts = {code, code[3:]} if column in ECON_CODE_COLUMNS else {code}
                    found.setdefault(int(line), set()).update(parts)
    return found


def _indicator_texts(indicators: pd.DataFrame | None) -> dict[int, set[str]]:
    """Targets and weights of each line as printed, so that "10" (a weight) is not taken for 10.00 (an amount)."""
    found: dict[int, set[str]] = {}
    if indicators is None:
        return found
    for column in ("target_value", "target_high", "weight"):
        for line, value in zip(indicators["line"], indicators[column], strict=True):
            if pd.notna(value):
                found.setdefault(int(line), set()).add(f"{float(value):g}")
    for line, raw in zip(indicators["line"], indicators["raw"], strict=True):
        if isinstance(raw, str):
            found.setdefault(int(line), set()).add(normalise_text(raw))
    return found


def _merge(*maps: dict[int, set[str]]) -> dict[int, set[str]]:
    merged: dict[int, set[str]] = {}
    for found in maps:
        for line, texts in found.items():
            merged.setdefault(line, set()).update(texts)
    return merged


def _is_read_amount(cell: str, read: set[float], not_amounts: set[str]) -> bool:
    """A non-empty cell printing digits whose value (in some money unit) the pipeline read on its line."""
    if not any(ch.isdigit() for ch in cell) or not is_amount(cell) or normalise_text(cell) in not_amounts:
        return False
    if LEADING_ZERO_RE.fullmatch(normalise_text(cell)):
        return False
    value = parse_amount(cell)
    return any(round(float(to_wan(value, unit)), FLOAT_DIGITS) in read for unit in MONEY_UNITS)


def narrative_amount_sites(number: int, lines: list[str]) -> list[Site]:
    raw = lines[number - 1]
    sites = []
    for match in NARRATIVE_AMOUNT_RE.finditer(raw):
        if THRESHOLD_RE.match(raw, match.end()):
            continue
        if match["split"] and not _next_text(lines, number).startswith("元"):
            continue
        sites.append(Site(number, match.start("num"), match.end("num"), match["num"], "narrative"))
    return sites


def _next_text(lines: list[str], number: int) -> str:
    """The first non-empty line after line ``number``, stripped."""
    return next((line.strip() for line in lines[number:] if line.strip()), "")


def mutate(text: str, site: Site, rng: random.Random) -> tuple[str, str]:
    """The text with the amount at ``site`` changed by one typo, and a description of the typo.

    The typo is a changed digit (the format, separators and decimals kept) or, for a plainly
    printed number, a small addition or subtraction rounded to the printed decimals. The new value
    always differs from the old; the rest of the text is unchanged.
    """
    lines = text.split("\n")
    line = lines[site.line - 1]
    if line[site.start:site.end] != site.text:
        raise ValueError(f"line {site.line} does not print {site.text!r} at {site.start}")
    if PLAIN_NUMBER_RE.fullmatch(site.text) and rng.random() < 0.5:
        new, typo = _shift(site.text, rng)
    else:
        new, typo = _change_digit(site.text, rng)
    lines[site.line - 1] = line[:site.start] + new + line[site.end:]
    return "\n".join(lines), typo


def _change_digit(printed: str, rng: random.Random) -> tuple[str, str]:
    positions = [i for i, ch in enumerate(printed) if ch in DIGITS or ch in FULLWIDTH_DIGITS]
    pos = rng.choice(positions)
    old = printed[pos]
    alphabet = FULLWIDTH_DIGITS if old in FULLWIDTH_DIGITS else DIGITS
    integer_digits = [i for i in positions if i < (printed.find(".") if "." in printed else len(printed))]
    # A leading zero ("0,830.55") is no typo anyone makes.
    banned = {old, alphabet[0]} if pos == positions[0] and len(integer_digits) > 1 else {old}
    new = rng.choice([d for d in alphabet if d not in banned])
    return printed[:pos] + new + printed[pos + 1:], f"digit {pos + 1}: {old}→{new}"


def _shift(printed: str, rng: random.Random) -> tuple[str, str]:
    decimals = len(printed.partition(".")[2])
    step = Decimal(1).scaleb(-decimals)
    value = Decimal(printed.replace(",", ""))
    share = Decimal(str(round(rng.uniform(MIN_SHIFT, MAX_SHIFT), 6)))
    delta = max((value * share).quantize(step, rounding=ROUND_HALF_UP), step)
    sign = -1 if rng.random() < 0.5 and value - delta >= 0 else 1
    new = value + sign * delta
    text = format(new, f",.{decimals}f") if "," in printed else format(new, f".{decimals}f")
    return text, f"{'+' if sign > 0 else '-'}{delta}"


def new_findings(baseline: pd.DataFrame, mutated: pd.DataFrame) -> pd.DataFrame:
    """Findings of the mutated run that the baseline run does not have."""
    known = set(_keys(baseline))
    return mutated[pd.Series([key not in known for key in _keys(mutated)], index=mutated.index, dtype=bool)]


def names_line(findings: pd.DataFrame, line: int) -> pd.Series:
    """Which findings list ``line`` among their space-separated ``lines``."""
    return findings["lines"].map(lambda lines: str(line) in str(lines).split() if pd.notna(lines) else False)


def _keys(findings: pd.DataFrame) -> list[tuple[str, ...]]:
    # Text, so that a missing value (None or NaN) equals itself whatever the dtype.
    return [tuple("" if pd.isna(v) else str(v) for v in row) for row in findings[FINDING_KEY].itertuples(index=False)]



@dataclass(eq=False)  # identity: a document's frames do not compare as values
class Baseline:
    doc_id: str
    path: Path
    text: str  # decoded, line ends as in the file
    encoding: str  # writes the text back to the file's bytes
    sites: list[Site]
    findings: pd.DataFrame


def load_baseline(doc_id: str, path: Path, manifest: pd.DataFrame) -> Baseline:
    """The unmutated document: its exact text, amount sites and findings."""
    try:
        raw = read_text(path)  # refuses bad files, detects the encoding
        frames = process_document(doc_id, path, manifest).frames
    except DocumentError as exc:
        raise DocumentError(f"{path}: {exc}") from exc
    data = path.read_bytes()
    # Written back with the encoding it was read in, a copy differs from the file only where mutated.
    encoding = "utf-8" if raw.encoding == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8) else raw.encoding
    text = data.decode(encoding)
    return Baseline(doc_id, path, text, encoding, amount_sites(text, frames), frames["findings"])


def load_baselines(raw_dir: Path) -> list[Baseline]:
    manifest = load_manifest(raw_dir)
    documents, _ = discover(raw_dir, manifest)
    # Mutations change printed text: documents given as one text file (a PDF's layer is not edited).
    return [load_baseline(s.doc_id, s.path, manifest) for s in documents
            if len(s.files) == 1 and kind_of(s.path) == "text"]


def sample_sites(baselines: list[Baseline], n: int, rng: random.Random) -> list[tuple[Baseline, Site]]:
    """``n`` sites stratified by document, uniform within each (see the module docstring)."""
    with_sites = [b for b in baselines if b.sites]
    if not with_sites:
        return []
    quota = {b.doc_id: n // len(with_sites) for b in with_sites}
    for b in rng.sample(with_sites, n % len(with_sites)):
        quota[b.doc_id] += 1
    picks = []
    for b in with_sites:
        chosen: list[Site] = []
        while len(chosen) < quota[b.doc_id]:
            chosen += rng.sample(b.sites, min(len(b.sites), quota[b.doc_id] - len(chosen)))
        picks += [(b, site) for site in chosen]
    return picks


def run_mutations(raw_dir: Path, n: int, seed: int) -> pd.DataFrame:
    """``n`` single-amount mutations of the documents of ``raw_dir``, one row each (``RESULT_COLUMNS``)."""
    return mutate_documents(load_baselines(raw_dir), load_manifest(raw_dir), n, seed)


def mutate_documents(baselines: list[Baseline], manifest: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [_run_one(base, site, rng, manifest, Path(tmp)) for base, site in sample_sites(baselines, n, rng)]
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def _run_one(base: Baseline, site: Site, rng: random.Random, manifest: pd.DataFrame, tmp: Path) -> dict:
    text, typo = mutate(base.text, site, rng)
    old_line, new_line = base.text.split("\n")[site.line - 1], text.split("\n")[site.line - 1]
    row = {
        "doc_id": base.doc_id, "line": site.line, "region": site.region, "old": site.text,
        "new": new_line[site.start:len(new_line) - len(old_line) + site.end], "typo": typo, "caught": False,
        "new_checks": "", "unnamed_checks": "", "error": "", "line_text": old_line.strip(),
    }
    copy = tmp / base.path.name
    copy.write_bytes(text.encode(base.encoding))
    try:
        frames = process_document(base.doc_id, copy, manifest).frames
    except Exception as exc:  # a mutation that breaks the pipeline is a result, not a crash
        row["error"] = f"{type(exc).__name__}: {exc}"
        return row
    found = new_findings(base.findings, frames["findings"])
    named = names_line(found, site.line).astype(bool)
    row["caught"] = bool(named.any())
    row["new_checks"] = ";".join(sorted(set(found.loc[named, "check"].astype(str))))
    row["unnamed_checks"] = ";".join(sorted(set(found.loc[~named, "check"].astype(str))))
    return row


def site_counts(baselines: list[Baseline]) -> pd.DataFrame:
    """Number of amount sites per document and region."""
    rows = [(b.doc_id, s.region) for b in baselines for s in b.sites]
    counts = pd.DataFrame(rows, columns=["doc_id", "region"]).value_counts().rename("sites").reset_index()
    return counts.sort_values(["doc_id", "region"], ignore_index=True)


def summarize(results: pd.DataFrame) -> str:
    """Share caught overall, by region and by document, and every mutation not caught."""
    total = len(results)
    caught = int(results["caught"].sum())
    errors = int((results["error"] != "").sum())
    out = [f"{total} mutations, {caught} caught ({_share(caught, total)}), {errors} failed to process"]
    coarse = results.assign(part=results["region"].str.split(":").str[0])
    for title, column, frame in (("by part", "part", coarse), ("by region", "region", results),
                                 ("by document", "doc_id", results)):
        table = frame.groupby(column)["caught"].agg(mutations="size", caught="sum")
        table["share"] = [_share(c, m) for c, m in zip(table["caught"], table["mutations"], strict=True)]
        out += ["", f"{title}:", table.to_string()]
    missed = results[~results["caught"]].sort_values(["doc_id", "line"])
    out += ["", f"not caught ({len(missed)}):"]
    for r in missed.itertuples(index=False):
        what = f" (error {r.error})" if r.error else f" (new findings not naming the line: {r.unnamed_checks})" \
            if r.unnamed_checks else ""
        context = TAB_RE.sub(" | ", r.line_text)
        out.append(f"  {r.doc_id}:{r.line} {r.region} {r.old} → {r.new}{what}\n      {context[:160]}")
    return "\n".join(out)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def report(raw_dir: Path, n: int, seed: int, out: Path | None) -> int:
    """The ``mutate`` command: run, print the summary, write the full table to ``out``."""
    if not raw_dir.is_dir():
        print(f"error: {raw_dir}: not a folder", file=sys.stderr)
        return 1
    start = time.perf_counter()
    try:
        baselines = load_baselines(raw_dir)
        results = mutate_documents(baselines, load_manifest(raw_dir), n, seed)
    except DocumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = site_counts(baselines)
    seconds = time.perf_counter() - start
    parts = counts.assign(part=counts["region"].str.split(":").str[0])
    by_doc = parts.pivot_table(index="doc_id", columns="part", values="sites", aggfunc="sum", fill_value=0, margins=True)
    print(f"amount sites by document:\n{by_doc.to_string()}\n")
    print(f"amount sites by region:\n{counts.groupby('region')['sites'].sum().to_string()}\n")
    print(summarize(results))
    print(f"\n{seconds:.1f} s ({seconds / max(len(results), 1):.2f} s per mutation, baselines included)")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        results.to_csv(out, index=False, encoding="utf-8-sig")
        print(f"→ {out}")
    return 0
