"""A document's metadata: its manifest row, or bureau, year and unit read from its text; a cell the manifest leaves
empty (or whose bad value was refused) is read from the text too, with a warning.
"""
from __future__ import annotations

import re

import pandas as pd

from helpers.frames import column_values
from helpers.ingest.raw_text import RawText

# The cells the pipeline needs: the year decides which columns are this year's, the unit scales every amount.
NEEDED_FROM_TEXT = ("bureau_name", "fiscal_year", "amount_unit")
YEAR_RE = re.compile(r"(20\d{2})\s*年")
YEAR_LINE_RE = re.compile(r"^(20\d{2})$", re.M)  # a cover that puts the year on a line of its own


def document_metadata(doc_id: str, raw: RawText,
                      manifest: pd.DataFrame | dict[str, dict]) -> tuple[dict, list[tuple[str, str]]]:
    """The manifest row of a document (from the manifest, or from its rows by doc_id as ``manifest_rows`` gives
    them), or metadata inferred from its text; and (severity, message) of what was read from the text although the
    manifest has a row, or could be read nowhere."""
    rows = manifest if isinstance(manifest, dict) else manifest_rows(manifest)
    inferred = infer_metadata(raw.text)
    notes: list[tuple[str, str]] = []
    if doc_id in rows:
        meta = dict(rows[doc_id])  # a copy: the caller adds to it
        meta["metadata_inferred"] = False
        for key in NEEDED_FROM_TEXT:
            if not str(meta.get(key) or "").strip():
                meta[key] = inferred[key]
                found = f"'{inferred[key]}' read from the text" if inferred[key] else "not found in the text either"
                notes.append(("warning", f"the manifest row gives no {key}: {found}"))
    else:
        meta = {"doc_id": doc_id, **inferred, "metadata_inferred": True}
        if not inferred["fiscal_year"]:
            notes.append(("warning", "no fiscal year in the text's first lines: fiscal_year is empty"))
    meta.update(source_file=";".join(p.name for p in raw.parts) or raw.path.name, sha256=raw.sha256,
                encoding=raw.encoding)
    return meta, notes


MANIFEST_ROWS_CACHE: list[tuple[pd.DataFrame, dict[str, dict]]] = []  # the last manifest seen and its rows by doc_id


def manifest_rows(manifest: pd.DataFrame) -> dict[str, dict]:
    """doc_id → its first manifest row as a dict, built once per manifest rather than filtering it for every document.
    The frame is kept with its rows, so an identity check is safe (its id cannot be reused while cached)."""
    # Read once into a local: a Dask worker runs tasks in threads, and another one may replace the entry meanwhile.
    cached = MANIFEST_ROWS_CACHE[0] if MANIFEST_ROWS_CACHE else None
    if cached is None or cached[0] is not manifest:
        rows: dict[str, dict] = {}
        columns = list(manifest.columns)
        # The records from each column's values (as to_dict("records") gives them, for a fraction of its cost: each
        # document brings its own manifest rows).
        records = zip(*(column_values(manifest, c).tolist() for c in columns), strict=True)
        for doc_id, record in zip(column_values(manifest, "doc_id").tolist(), records, strict=True):
            rows.setdefault(doc_id, dict(zip(columns, record, strict=True)))
        cached = (manifest, rows)
        MANIFEST_ROWS_CACHE[:] = [cached]
    return cached[1]


def infer_metadata(text: str) -> dict:
    """Bureau name, fiscal year and amount unit read from the document's first lines."""
    head = "\n".join(line.strip("#* ") for line in text.split("\n", 40)[:40])
    year = YEAR_RE.search(head) or YEAR_LINE_RE.search(head)
    name = re.search(r"(?:20\d{2}\s*年度?\s*)?"
                     r"([\u4e00-\u9fff（）()]{4,40}?(?:局|院|办公室|办事处|中心|委员会)(?:（本级）)?)", head)
    units = re.findall(r"单位\s*[：:]\s*(万元|元)", text)
    return {
        "bureau_name": name.group(1) if name else "", "province": "", "prefecture": "", "county": "",
        "admin_level": "", "fiscal_year": year.group(1) if year else "",
        "amount_unit": max(set(units), key=units.count) if units else "万元",
    }
