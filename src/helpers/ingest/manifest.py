"""The manifest of a raw folder: one row of metadata per document, validated cell by cell on reading.

Excel writes a manifest in the encoding of the user's system: UTF-8 (with or without BOM), GB18030 on Chinese Windows,
UTF-16 with a BOM and tabs for "Unicode text"; all are read. A bad cell (``fiscal_year`` = ``2024年``, an unknown unit)
or a row with more or fewer cells than the header (a stray comma) gets one line naming the row and the cell: the cell
is left empty (the document's metadata then reads it from the text) or the row is not used, and every other row is.
Only a manifest that cannot be read at all (undecodable, no ``doc_id`` column …) stops the run.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from helpers.config import MANIFEST_NAME
from helpers.errors import DocumentError, Problem
from helpers.ingest.raw_text import decode

MANIFEST_COLUMNS = [
    "doc_id", "bureau_name", "province", "prefecture", "county", "admin_level",
    "fiscal_year", "amount_unit", "source_file", "sha256",
]
OPTIONAL_COLUMNS = ["files"]
# A doc_id names output rows and report files: keep it to safe characters.
DOC_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
AMOUNT_UNITS = ("万元", "元")
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# Each check's error text completes "<column> '<value>' …" in the message of a bad cell.
SCHEMA = pa.DataFrameSchema({
    "fiscal_year": pa.Column(str, pa.Check.str_matches(r"^((19|20)\d{2})?$",
                                                       error="is not a year (four digits, e.g. 2024)")),
    "amount_unit": pa.Column(str, pa.Check.isin([*AMOUNT_UNITS, ""], error=f"is not a unit ({' or '.join(AMOUNT_UNITS)})")),
    "sha256": pa.Column(str, pa.Check.str_matches(r"^([0-9a-fA-F]{64})?$", error="is not a sha256 (64 hex digits)")),
})


def load_manifest(raw_dir: Path) -> pd.DataFrame:
    """The manifest of raw_dir (empty frame when there is none), bad cells left empty (see read_manifest)."""
    return read_manifest(raw_dir)[0]


def manifest_records(raw_dir: Path) -> dict[str, dict[str, str]]:
    """doc_id → its manifest row as read (bad cells emptied); empty when there is no manifest or it cannot be read
    (processing refuses the folder and says why)."""
    try:
        frame = load_manifest(raw_dir)
    except DocumentError:
        return {}
    return {row["doc_id"]: row for row in frame.to_dict("records") if row["doc_id"]}


def read_manifest(raw_dir: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """The manifest's rows (every cell a string) and one problem per bad row or cell. DocumentError (one line) when
    the file cannot be read as a manifest at all."""
    path = raw_dir / MANIFEST_NAME
    empty = pd.DataFrame(columns=MANIFEST_COLUMNS)
    if not path.exists():
        return empty, []
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot be read: {exc.strerror}") from None
    if not data.strip():
        return empty, [Problem("warning", str(path), "the manifest is empty: every document's metadata is read from its "
                                                     "text", "manifest")]
    try:
        text = decode(data).text
    except DocumentError as exc:
        raise DocumentError(f"{path}: {exc}") from None
    header, records, problems = _records(text, str(path))
    missing = [c for c in MANIFEST_COLUMNS if c not in header]
    if missing:
        raise DocumentError(f"{path}: manifest lacks columns {missing}")
    frame = pd.DataFrame(records, columns=[*header, "_line"], dtype=str)
    # files: optional, the raw files of a document published in several parts (see ingest.sources).
    frame = frame[[*MANIFEST_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in header), "_line"]].fillna("")
    frame, bad = _validate(frame, str(path))
    return frame.drop(columns="_line"), problems + bad


def _delimiter(text: str) -> str:
    """Tab for Excel's "Unicode text" (UTF-16, tab-separated), else comma."""
    head = text.lstrip("\n").split("\n", 1)[0]
    return "\t" if "\t" in head and "," not in head else ","


def _records(text: str, file: str) -> tuple[list[str], list[dict[str, str]], list[Problem]]:
    """The header, the rows as dicts (with their line in ``_line``), and one problem per row whose cells do not match
    the header."""
    rows = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    header = [name.strip() for name in next(rows, [])]
    while header and not header[-1]:
        header.pop()  # the empty columns Excel leaves after the last one
    records, problems = [], []
    for row in rows:
        line = rows.line_num
        cells = [c.strip() for c in row]
        if not any(cells):
            continue  # blank line, or a row of commas
        while len(cells) > len(header) and not cells[-1]:
            cells.pop()
        if len(cells) != len(header):
            doc_id = cells[0] if cells and DOC_ID_RE.match(cells[0]) else ""
            problems.append(Problem("error", file, f"line {line}: {len(cells)} cells where the header has {len(header)} "
                                    "(a stray comma?): the row is not used", "manifest", doc_id))
            continue
        records.append({**dict(zip(header, cells, strict=True)), "_line": str(line)})
    return header, records, problems


def _validate(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The frame with each bad cell emptied, and one problem per bad cell (full-width digits of a year are read)."""
    problems = []
    lines = frame["_line"].tolist()
    frame = frame.copy()
    years = frame["fiscal_year"].str.translate(FULL_WIDTH_DIGITS)
    for i in (years != frame["fiscal_year"]).to_numpy().nonzero()[0]:
        problems.append(Problem("warning", file, f"line {lines[i]}: fiscal_year '{frame['fiscal_year'].iloc[i]}' read as "
                                f"{years.iloc[i]} (full-width digits)", "manifest", frame["doc_id"].iloc[i]))
    frame["fiscal_year"] = years
    try:
        SCHEMA.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        for column, check, value, index in zip(cases["column"], cases["check"], cases["failure_case"], cases["index"],
                                               strict=True):
            i = frame.index.get_loc(index)
            problems.append(Problem("error", file, f"line {lines[i]}: {column} '{value}' {check}: left empty",
                                    "manifest", frame["doc_id"].iloc[i]))
            frame.iloc[i, frame.columns.get_loc(column)] = ""
    return frame, problems
