"""The tidy tables a run writes: their names and row order (their columns, in order, are the data dictionary's); and
the run's manifest, written last into its folder, by which a reader tells a complete set of outputs from a damaged one.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from helpers.fsio import write_atomic

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported by the functions that read tables: `reports` with nothing changed checks the folder and repeats
# its problems without it (half a second).

TABLE_NAMES = [
    "documents", "tables", "budget_lines", "economic_lines", "projects", "performance_budgets",
    "indicators", "key_figures", "narrative_statements", "findings", "unparsed",
    "project_classes", "spending_profile", "indicator_summary",
]
# Tables of the whole run, not of one document: its problems (also of documents that failed) and the comparison.
RUN_TABLES = ["problems", "comparison"]
# Tables whose row order is meaningful within a document (measures in reading order, problems as found).
SORT_KEYS = {"spending_profile": ["doc_id"], "problems": ["doc_id"]}
RUN_MANIFEST = "_run.json"  # written last: every file of the run with its size and sha256
MANIFEST_FORMAT = 1


def columns_of(table: str) -> list[str]:
    """The columns of a table, in the order the data dictionary lists them (and the files hold them)."""
    from helpers.schema import dictionary_columns

    return dictionary_columns()[table]


# A file's manifest entry, with the size and modification time (ns) it had when it was hashed.
Hashed = dict[str, tuple[tuple[int, int], dict]]


def hash_files(folder: Path) -> Hashed:
    """The manifest entries of the files a run has finished so far (hidden ones are still being written), each file
    flushed to disk: hashed while the run waits on its last file (the database), they need not be hashed again."""
    return {path.name: _entry(path) for path in sorted(folder.iterdir())
            if path.is_file() and path.name != RUN_MANIFEST and not path.name.startswith(".")}


def write_run_manifest(folder: Path, hashed: Hashed | None = None) -> None:
    """List every file of a finished run with its size and sha256, each file flushed to disk first, so that the
    manifest never vouches for data a crash of the machine could still lose. A file ``hashed`` before and unchanged
    since (its size and modification time) keeps that entry."""
    files = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name != RUN_MANIFEST):
        stat = path.stat()
        known = (hashed or {}).get(path.name)
        files[path.name] = known[1] if known and known[0] == (stat.st_size, stat.st_mtime_ns) else _entry(path)[1]
    write_atomic(folder / RUN_MANIFEST, json.dumps({"format": MANIFEST_FORMAT, "files": files}, indent=1) + "\n")


def _entry(path: Path) -> tuple[tuple[int, int], dict]:
    with path.open("rb") as f:
        stat = os.fstat(f.fileno())
        entry = {"bytes": stat.st_size, "sha256": _sha256(f)}
        os.fsync(f.fileno())
    return (stat.st_size, stat.st_mtime_ns), entry


def check_outputs(folder: Path) -> list[str]:
    """What keeps a processed folder from being one whole run (empty when it is one): no manifest, a file listed but
    missing, or one whose size or sha256 differs from the manifest's (a CSV cut mid-row, a Parquet without footer).
    Files the run did not write (a stamp a later command adds) are not its concern."""
    manifest = folder / RUN_MANIFEST
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except FileNotFoundError:
        return [f"{manifest}: missing: not the outputs of a complete run"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{manifest}: unreadable ({type(exc).__name__}): not the outputs of a complete run"]
    problems = []
    for name, expected in sorted(listed.items()):
        path = folder / name
        try:
            size = path.stat().st_size
            if size != expected["bytes"]:
                problems.append(f"{path}: {size} bytes where the run wrote {expected['bytes']}")
                continue
            with path.open("rb") as f:
                if _sha256(f) != expected["sha256"]:
                    problems.append(f"{path}: content differs from what the run wrote (sha256)")
        except FileNotFoundError:
            problems.append(f"{path}: missing")
        except OSError as exc:
            problems.append(f"{path}: unreadable: {exc.strerror}")
    return problems


def _sha256(f: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := f.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def outputs_digest(folder: Path) -> str | None:
    """A fingerprint of a whole run's outputs (the sha256 of its manifest), or None when the folder is not whole."""
    if check_outputs(folder):
        return None
    return hashlib.sha256((folder / RUN_MANIFEST).read_bytes()).hexdigest()


def read_problems(folder: Path) -> pd.DataFrame:
    """The problems table of a processed folder (empty when it has none)."""
    import pandas as pd

    path = folder / "problems.parquet"
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame(columns=columns_of("problems"))


def problem_lines(folder: Path) -> list[str]:
    """Each problem as the run that found it printed it: what a later command repeats while the inputs stay the same."""
    path = folder / "problems.csv"  # the CSV, read without pandas (the run's manifest vouched for it)
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [f"{row['severity']}: {row['file']}: {row['message']}" for row in csv.DictReader(f)]


def failed_documents(folder: Path) -> dict[str, str]:
    """doc_id → 'stage: message' of the first error of each document the run could not write (no documents row)."""
    import pandas as pd

    problems = read_problems(folder)
    errors = problems[problems["severity"] == "error"]
    path = folder / "documents.parquet"
    written = set(pd.read_parquet(path, columns=["doc_id"])["doc_id"]) if path.is_file() else set()
    first: dict[str, str] = {}
    for doc_id, stage, message in zip(errors["doc_id"], errors["stage"], errors["message"], strict=True):
        if doc_id and doc_id not in written:
            first.setdefault(doc_id, f"{stage}: {message}")
    return first
