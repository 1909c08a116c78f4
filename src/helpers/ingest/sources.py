"""The documents a raw folder holds: each a doc_id and its raw files, PDF or extracted text.

A document is ``<doc_id>.pdf`` or ``<doc_id>.txt``, or the files a manifest row names in its ``files`` column
(``说明.pdf;报表.pdf``: one department published as several PDFs, read in the order given). A doc_id names output
rows and report files, so it must be safe as a file name and unique even where case does not count (Excel joins,
macOS and Windows folders): files that collide are all refused rather than one silently overwriting the other.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.config import MANIFEST_NAME
from helpers.errors import DocumentError, Problem
from helpers.ingest.manifest import DOC_ID_RE, MANIFEST_COLUMNS, load_manifest

DOCUMENT_SUFFIXES = {".pdf": "pdf", ".txt": "text"}
FILES_SEPARATOR = ";"


@dataclass(frozen=True)
class DocumentSource:
    doc_id: str
    files: tuple[Path, ...]

    @property
    def path(self) -> Path:
        return self.files[0]


def kind_of(path: Path) -> str | None:
    return DOCUMENT_SUFFIXES.get(path.suffix.lower())


def is_folder_note(path: Path) -> bool:
    """A README or Markdown note describing the folder: not a document, skipped without a word."""
    return path.suffix.lower() == ".md" or path.stem.lower() == "readme"


def discover(raw_dir: Path, manifest: pd.DataFrame | None = None) -> tuple[list[DocumentSource], list[Problem]]:
    """Documents of a folder, sorted by doc_id, and the folder's problems (one line each)."""
    problems: list[Problem] = []
    manifest_file = str(raw_dir / MANIFEST_NAME)
    if manifest is None:
        try:
            manifest = load_manifest(raw_dir)
        except DocumentError as exc:  # its documents are still the folder's (process refuses the run and says why)
            problems.append(Problem("error", manifest_file, str(exc).removeprefix(f"{manifest_file}: "), "manifest"))
            manifest = pd.DataFrame(columns=MANIFEST_COLUMNS)

    def refuse(file: Path | str, message: str, doc_id: str = "") -> None:
        problems.append(Problem("error", str(file), message, "folder", doc_id))

    # Hidden files (.DS_Store, .gitkeep) are the file system's, not documents.
    files = sorted(p for p in raw_dir.iterdir()
                   if p.is_file() and p.name != MANIFEST_NAME and not p.name.startswith(".") and not is_folder_note(p))
    listed, refused = _listed_files(raw_dir, manifest, problems)
    claimed = {f for paths in listed.values() for f in paths}
    by_id: dict[str, tuple[Path, ...]] = dict(listed)
    stems: dict[str, list[Path]] = {}
    for path in files:
        if path in claimed:
            continue
        if kind_of(path) is None:
            refuse(path, "not a document: raw documents are <doc_id>.pdf or <doc_id>.txt")
            continue
        if not DOC_ID_RE.match(path.stem):
            refuse(path, f"doc_id '{path.stem}' has characters other than letters, digits, '-', '_', '.'")
            continue
        stems.setdefault(path.stem, []).append(path)
    for doc_id, paths in stems.items():
        if doc_id in by_id:
            names = ", ".join(p.name for p in paths)
            refuse(raw_dir, f"{names} and the manifest's files of '{doc_id}' claim one doc_id; {names} not processed",
                   doc_id)
        elif len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            refuse(raw_dir, f"files {names} claim one doc_id '{doc_id}'; none is processed "
                            "(keep one, or list them in the manifest's files column)", doc_id)
        else:
            by_id[doc_id] = (paths[0],)
    folded: dict[str, list[str]] = {}
    for doc_id in by_id:
        folded.setdefault(doc_id.casefold(), []).append(doc_id)
    for same in (sorted(ids) for ids in folded.values() if len(ids) > 1):
        names = ", ".join(by_id[d][0].name for d in same)
        refuse(raw_dir, f"files {names} claim one doc_id (ids differ only by case); none is processed")
        for doc_id in same:
            del by_id[doc_id]
    collided = {key for key, ids in folded.items() if len(ids) > 1}
    for doc_id in manifest["doc_id"]:
        if not DOC_ID_RE.match(str(doc_id)):
            refuse(manifest_file, f"row '{doc_id}' has a doc_id with path or other characters")
        elif doc_id not in by_id and doc_id.casefold() not in collided and doc_id not in stems.keys() | refused:
            refuse(manifest_file, f"row '{doc_id}' names no file {doc_id}.pdf or {doc_id}.txt", doc_id)
    for doc_id in manifest["doc_id"][manifest["doc_id"].duplicated()].tolist():
        refuse(manifest_file, f"doc_id '{doc_id}' appears in more than one row", doc_id)
    return [DocumentSource(d, by_id[d]) for d in sorted(by_id)], problems


def _listed_files(raw_dir: Path, manifest: pd.DataFrame,
                  problems: list[Problem]) -> tuple[dict[str, tuple[Path, ...]], set[str]]:
    """doc_id → the files its manifest row lists in ``files``, each a document file of the folder; and the
    doc_ids whose list names a file that is not one (refused, with a problem)."""
    listed: dict[str, tuple[Path, ...]] = {}
    refused: set[str] = set()
    if "files" not in manifest.columns:
        return listed, refused
    for doc_id, cell in zip(manifest["doc_id"], manifest["files"], strict=True):
        names = [n.strip() for n in str(cell or "").split(FILES_SEPARATOR) if n.strip()]
        if not names or not DOC_ID_RE.match(str(doc_id)):
            continue
        paths, bad = [], []
        for name in names:
            path = raw_dir / name
            if Path(name).name != name or not path.is_file() or kind_of(path) is None:
                bad.append(name)
            paths.append(path)
        if bad:
            problems.append(Problem("error", str(raw_dir / MANIFEST_NAME), f"row '{doc_id}' lists {', '.join(bad)}, not a "
                                    ".pdf or .txt file of the folder; the document is not processed", "folder", doc_id))
            refused.add(doc_id)
            continue
        listed[doc_id] = tuple(paths)
    return listed, refused
