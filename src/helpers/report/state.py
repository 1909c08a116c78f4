"""What each report was built from and how it went: fingerprints of the inputs, the state file, the
processing stamp, and writes that never leave a half-written file.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from helpers.config import MAPS_DIR, PACKAGE_DIR

COMPARISON = "comparison"
INDEX = "index"
STAMP_NAME = ".process-fingerprint.json"  # in the processed dir: what the tables were built from
DIGESTS_NAME = "digests.json"  # in the processed dir, written by processing (pipeline.export)
STATE_NAME = ".fingerprints.json"  # in the out dir: what each report was built from, and how it went


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digest(parts: Iterable[tuple[str, bytes]]) -> str:
    """sha256 over named byte strings, each framed by its name and length so no two sequences collide."""
    h = hashlib.sha256()
    for name, data in parts:
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def files_digest(paths: Iterable[Path], root: Path) -> str:
    return digest((p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(paths))


def source_fingerprint() -> str:
    """The package's code and maps: a change to either may change every table and report."""
    files = [*PACKAGE_DIR.rglob("*.py"), *MAPS_DIR.glob("*.csv")]
    return files_digest((p for p in files if "__pycache__" not in p.parts), PACKAGE_DIR)


def raw_fingerprint(raw_dir: Path) -> str:
    """Every file of the raw folder (texts and manifest), by name and bytes."""
    return files_digest((p for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith(".")), raw_dir)


def document_digests(processed_dir: Path) -> dict[str, str]:
    """sha256 of each document's own rows, as processing wrote them (pipeline.export): reading a small file instead of
    every table keeps an up-to-date run fast, and a new bureau changes no other bureau's digest."""
    return {str(k): str(v) for k, v in read_json(processed_dir / DIGESTS_NAME).items()}


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}  # a missing or damaged stamp or state only costs a rebuild


def load_state(out_dir: Path) -> dict[str, dict]:
    return read_json(out_dir / STATE_NAME)


def prune_state(state: dict[str, dict], keep: set[str], out_dir: Path) -> dict[str, dict]:
    """Forget the reports of documents no longer in the raw folder, and delete their pages."""
    for name in set(state) - keep:
        (out_dir / f"{name}.html").unlink(missing_ok=True)
    return {name: entry for name, entry in state.items() if name in keep}


def now_text() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
