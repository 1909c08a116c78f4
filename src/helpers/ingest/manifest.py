"""The manifest of a raw folder, and the documents a folder holds (doc_id, file).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from helpers.config import MANIFEST_NAME
from helpers.config import MANIFEST_NAME as MANIFEST
from helpers.errors import DocumentError

MANIFEST_COLUMNS = [
    "doc_id", "bureau_name", "province", "prefecture", "county", "admin_level",
    "fiscal_year", "amount_unit", "source_file", "sha256",
]
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
    return manifest[MANIFEST_COLUMNS]


def discover(raw_dir: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """Documents of a folder with their doc_id, and one-line problems of the folder.

    A doc_id names output rows and report files, so it must be safe as a file name and unique even
    where case does not count (Excel joins, macOS and Windows folders): files that collide are all
    refused rather than one silently overwriting the other."""
    manifest = load_manifest(raw_dir)
    problems: list[str] = []
    # Hidden files (.DS_Store, .gitkeep) are the file system's, not documents.
    files = sorted(p for p in raw_dir.iterdir() if p.is_file() and p.name != MANIFEST and not p.name.startswith("."))
    by_id: dict[str, Path] = {}
    for path in files:
        if path.suffix != ".txt":
            problems.append(f"{path}: not a .txt file; raw documents are <doc_id>.txt")
            continue
        doc_id = path.stem
        if not DOC_ID_RE.match(doc_id):
            problems.append(f"{path}: doc_id '{doc_id}' has characters other than letters, digits, '-', '_', '.'")
            continue
        by_id[doc_id] = path
    folded: dict[str, list[str]] = {}
    for doc_id in by_id:
        folded.setdefault(doc_id.casefold(), []).append(doc_id)
    for same in (ids for ids in folded.values() if len(ids) > 1):
        names = ", ".join(by_id[d].name for d in same)
        problems.append(f"{raw_dir}: files {names} claim one doc_id (ids differ only by case); none is processed")
        for doc_id in same:
            del by_id[doc_id]
    for doc_id in manifest["doc_id"]:
        if not DOC_ID_RE.match(str(doc_id)):
            problems.append(f"{raw_dir / MANIFEST}: row '{doc_id}' has a doc_id with path or other characters")
        elif doc_id not in by_id and not any(doc_id.casefold() == key for key in folded if len(folded[key]) > 1):
            problems.append(f"{raw_dir / MANIFEST}: row '{doc_id}' names no file {doc_id}.txt")
    dupes = manifest["doc_id"][manifest["doc_id"].duplicated()].tolist()
    for doc_id in dupes:
        problems.append(f"{raw_dir / MANIFEST}: doc_id '{doc_id}' appears in more than one row")
    return sorted(by_id.items()), problems
