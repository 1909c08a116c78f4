"""Read raw documents and the manifest: encodings, checksums, metadata."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.config import MANIFEST_NAME

MANIFEST_COLUMNS = [
    "doc_id", "bureau_name", "province", "prefecture", "county", "admin_level",
    "fiscal_year", "amount_unit", "source_file", "sha256",
]
# A doc_id names output rows and report files: keep it to safe characters.
DOC_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Encodings tried in order; GB18030 is a superset of GBK/GB2312 used by Chinese tools.
ENCODINGS = ("utf-8-sig", "gb18030")
# Control characters other than tab, line feed, form feed and carriage return.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


class DocumentError(Exception):
    """A document that cannot be processed; the message is one line naming the problem."""


@dataclass(frozen=True)
class RawText:
    path: Path
    text: str
    encoding: str
    sha256: str


def read_text(path: Path) -> RawText:
    """Decode a raw file (UTF-8 or GB18030), refusing empty and binary files."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise DocumentError("file is empty")
    if b"\x00" in data:
        raise DocumentError("file is binary (contains NUL bytes), not extracted text")
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return RawText(path, text.replace("\r\n", "\n").replace("\r", "\n"), encoding, digest)
    raise DocumentError("encoding not recognised (tried UTF-8 and GB18030)")


def _looks_like_text(text: str) -> bool:
    control = len(CONTROL_RE.findall(text))  # one regex pass, not a Python loop over every character
    return control <= len(text) / 1000


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
