"""The manifest of a raw folder: one row of metadata per document.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from helpers.config import MANIFEST_NAME
from helpers.errors import DocumentError

MANIFEST_COLUMNS = [
    "doc_id", "bureau_name", "province", "prefecture", "county", "admin_level",
    "fiscal_year", "amount_unit", "source_file", "sha256",
]
OPTIONAL_COLUMNS = ["files"]
# A doc_id names output rows and report files: keep it to safe characters.
DOC_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def load_manifest(raw_dir: Path) -> pd.DataFrame:
    """The manifest of raw_dir (empty frame when there is none)."""
    path = raw_dir / MANIFEST_NAME
    if not path.exists():
        return pd.DataFrame(columns=MANIFEST_COLUMNS)
    manifest = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(MANIFEST_COLUMNS) - set(manifest.columns)
    if missing:
        raise DocumentError(f"{path}: manifest lacks columns {sorted(missing)}")
    # files: optional, the raw files of a document published in several parts (see ingest.sources).
    return manifest[MANIFEST_COLUMNS + [c for c in OPTIONAL_COLUMNS if c in manifest.columns]]
