"""A document's metadata: its manifest row, or bureau, year and unit read from its text.
"""
from __future__ import annotations

import re

import pandas as pd

from helpers.ingest.raw_text import RawText


def document_metadata(doc_id: str, raw: RawText, manifest: pd.DataFrame) -> dict:
    """The manifest row of a document, or metadata inferred from its text."""
    rows = manifest_rows(manifest)
    if doc_id in rows:
        meta = dict(rows[doc_id])  # a copy: the caller adds to it
        meta["metadata_inferred"] = False
    else:
        meta = {"doc_id": doc_id, **infer_metadata(raw.text), "metadata_inferred": True}
    meta.update(source_file=";".join(p.name for p in raw.parts) or raw.path.name, sha256=raw.sha256,
                encoding=raw.encoding)
    return meta


MANIFEST_ROWS_CACHE: list[tuple[pd.DataFrame, dict[str, dict]]] = []  # the last manifest seen and its rows by doc_id


def manifest_rows(manifest: pd.DataFrame) -> dict[str, dict]:
    """doc_id → its first manifest row as a dict, built once per manifest rather than filtering it for every document.
    The frame is kept with its rows, so an identity check is safe (its id cannot be reused while cached)."""
    if not MANIFEST_ROWS_CACHE or MANIFEST_ROWS_CACHE[0][0] is not manifest:
        rows: dict[str, dict] = {}
        for doc_id, record in zip(manifest["doc_id"].tolist(), manifest.to_dict("records"), strict=True):
            rows.setdefault(doc_id, record)
        MANIFEST_ROWS_CACHE[:] = [(manifest, rows)]
    return MANIFEST_ROWS_CACHE[0][1]


def infer_metadata(text: str) -> dict:
    """Bureau name, fiscal year and amount unit read from the document's first lines."""
    head = "\n".join(line.strip("#* ") for line in text.split("\n")[:40])
    year = re.search(r"(20\d{2})\s*年", head)
    name = re.search(r"(?:20\d{2}\s*年度?\s*)?"
                     r"([\u4e00-\u9fff（）()]{4,40}?(?:局|院|办公室|办事处|中心|委员会)(?:（本级）)?)", head)
    units = re.findall(r"单位\s*[：:]\s*(万元|元)", text)
    return {
        "bureau_name": name.group(1) if name else "", "province": "", "prefecture": "", "county": "",
        "admin_level": "", "fiscal_year": year.group(1) if year else "",
        "amount_unit": max(set(units), key=units.count) if units else "万元",
    }
