"""What processing leaves beside the tidy tables for readers and for the reports, written from the finished files:

- ``budget_disclosures.xlsx``: one sheet per table and the data dictionary; headers "中文 column"; codes stay text,
  integers stay integers (each column written with its dictionary type, so Excel never turns a 21-digit project
  code into 4.1E+20);
- ``budget_disclosures.duckdb``: the same tables with the dictionary's types, the dictionary as a table
  (``data_dictionary``) and as column comments (``COMMENT ON COLUMN``);
- ``digests.json``: sha256 of each document's own rows over every table, for the reports: a bureau report is rebuilt
  when its digest changes, and a new bureau leaves every other digest as it was (columns counted over the whole
  corpus, such as reuse in other documents, are left out; the bureau report does not show them). The writer takes
  each table's digests as it writes (``Digests``), so no table is read back whole.

The workbook is written on request (``process --workbook``): it is for a corpus Excel can hold, and at national
scale it would cost more than processing itself; it is streamed from the Parquet files, one row group at a time.
The database is built in a process apart while the run goes on (``Database``: each table once its file is closed);
``write_exports(out_dir, digests, database, workbook)`` then ``database.finish()`` end ``process``. Each file is
written whole (fsio.write_atomic, or a temporary file moved in place).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, wait
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.config import PACKAGE_DIR
from helpers.fsio import write_atomic
from helpers.pipeline.executor import ProcessApart
from helpers.pipeline.memory import peak_memory_mb
from helpers.pipeline.outputs import RUN_TABLES, TABLE_NAMES

if TYPE_CHECKING:
    import duckdb

WORKBOOK_NAME = "budget_disclosures.xlsx"
DATABASE_NAME = "budget_disclosures.duckdb"
DIGESTS_NAME = "digests.json"
EXPORT_FILES = (WORKBOOK_NAME, DATABASE_NAME, DIGESTS_NAME)
EXPORT_TABLES = [*TABLE_NAMES, *RUN_TABLES]
# Columns whose values depend on the other documents of the corpus: not part of a document's own digest.
CORPUS_COLUMNS = {"indicators": ["reuse_docs"], "indicator_summary": ["n_reused"]}
EXCEL_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row


def dictionary() -> pd.DataFrame:
    return pd.read_csv(PACKAGE_DIR / "data_dictionary.csv", dtype=str, keep_default_na=False)


def write_exports(out_dir: Path, digests: dict[str, str], database: Database, workbook: bool = False) -> None:
    """The digests, the database's tables not yet in (loading while the caller goes on: ``database.finish()`` waits
    for them) and, on request, the workbook, from the tables just written to out_dir."""
    write_atomic(out_dir / DIGESTS_NAME, json.dumps(digests, indent=0, sort_keys=True))
    names = [name for name in EXPORT_TABLES if (out_dir / f"{name}.parquet").is_file()]
    database.add([name for name in names if name not in database.names])
    if workbook:
        write_workbook(out_dir, names, out_dir / WORKBOOK_NAME)


class Database:
    """The DuckDB file, built in the process ``apart`` while the run goes on: each table as soon as its Parquet file
    is closed (``add``), the dictionary and the column comments last (``finish``). Apart, so that what DuckDB holds
    while it loads (bounded: ``DATABASE_CONFIG``) is never part of the run's own memory. Used as a context: a run that
    fails before ``finish`` leaves nothing of the file."""

    def __init__(self, out_dir: Path, apart: ProcessApart) -> None:
        self.out_dir, self.apart = out_dir, apart
        handle, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{DATABASE_NAME}.", suffix=".tmp")
        os.close(handle)
        os.unlink(tmp)  # duckdb creates the file itself
        self.tmp = Path(tmp)
        self.names: list[str] = []
        self._steps: list[Future] = []

    def __enter__(self) -> Database:
        return self

    def __exit__(self, exc_type, *_exc: object) -> None:
        if exc_type is not None:
            wait(self._steps)  # a step still loading would write the file again after it was removed
            for leftover in (self.tmp, Path(f"{self.tmp}.wal")):
                leftover.unlink(missing_ok=True)

    def add(self, names: list[str]) -> None:
        """These tables (their Parquet files closed), loaded while the caller goes on, after those added before."""
        self.names += names
        self._steps.append(self.apart.submit(load_tables, self.tmp, self.out_dir, names))

    def finish(self) -> float:
        """The dictionary and the comments after every table, then the file in place; returns the peak memory of
        the database's process (MB). A step's error is raised here."""
        for step in self._steps:
            step.result()
        return self.apart.run(finish_database, self.tmp, self.names, self.out_dir / DATABASE_NAME)


class Digests:
    """Each document's digest, taken table by table as the writer writes (a document's rows of a table come in one
    part): 32 bytes per document and table stay in memory, never the rows."""

    def __init__(self) -> None:
        self.parts: dict[str, dict[str, bytes]] = {}

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Rows of one table, documents contiguous (rows without a doc_id belong to none)."""
        if name not in TABLE_NAMES or frame.empty or "doc_id" not in frame:
            return
        own = frame.drop(columns=CORPUS_COLUMNS.get(name, []))
        rows = pd.util.hash_pandas_object(own, index=False).to_numpy()
        doc_ids = own["doc_id"].astype(str).to_numpy()
        starts = [0, *(np.flatnonzero(doc_ids[1:] != doc_ids[:-1]) + 1).tolist(), len(doc_ids)]
        header = "\t".join(own.columns).encode()
        for start, end in zip(starts, starts[1:], strict=False):
            digest = hashlib.sha256(name.encode() + b"\0" + header + b"\0" + rows[start:end].tobytes()).digest()
            self.parts.setdefault(str(doc_ids[start]), {})[name] = digest

    def result(self) -> dict[str, str]:
        """doc_id → sha256 over its tables' digests, in the order of TABLE_NAMES."""
        return {doc_id: hashlib.sha256(b"".join(parts[n] for n in TABLE_NAMES if n in parts)).hexdigest()
                for doc_id, parts in sorted(self.parts.items())}


def headers(table: str, columns: list[str]) -> list[str]:
    """"中文 column" for each column: the dictionary's Chinese term, then the column's name."""
    d = dictionary()
    terms = dict(zip(d.loc[d["table"] == table, "column"], d.loc[d["table"] == table, "chinese_term"], strict=True))
    return [f"{terms[c]} {c}" if terms.get(c) else c for c in columns]


def write_workbook(out_dir: Path, names: list[str], path: Path) -> None:
    """One sheet per table plus the dictionary, streamed row by row from the Parquet files (constant memory);
    every cell written with its column's type (text stays text)."""
    import xlsxwriter

    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(tmp, {"constant_memory": True, "nan_inf_to_errors": True,
                                         "strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "tmpdir": str(path.parent)})
        book.set_properties({"title": "医疗保障局部门预算公开 · budget disclosures", "created": pd.Timestamp(0).to_pydatetime()})
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        for name in names:
            parquet = pq.ParquetFile(out_dir / f"{name}.parquet")
            _write_sheet(book.add_worksheet(name[:31]), parquet.iter_batches(), parquet.schema_arrow, name, bold)
        data_dictionary = pa.Table.from_pandas(dictionary(), preserve_index=False)
        _write_sheet(book.add_worksheet("data_dictionary"), data_dictionary.to_batches(), data_dictionary.schema,
                     "data_dictionary", bold)
        book.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_sheet(sheet, batches, schema, name: str, bold) -> None:
    """Rows in order (constant-memory sheets are written row by row), up to Excel's limit."""
    labels = headers(name, schema.names)
    sheet.write_row(0, 0, labels, bold)
    sheet.freeze_panes(1, 0)
    for col, label in enumerate(labels):
        sheet.set_column(col, col, min(40, max(10, len(label) + 2)))
    writers = [_cell_writer(sheet, field.type) for field in schema]
    row = 1
    for batch in batches:
        for values in zip(*(column.to_pylist() for column in batch.columns), strict=True):
            if row > EXCEL_MAX_ROWS:
                return
            for col, (value, write) in enumerate(zip(values, writers, strict=True)):
                if value is not None and value == value:  # missing stays an empty cell, never 0 (NaN ≠ NaN)
                    write(row, col, value)
            row += 1


def _cell_writer(sheet, arrow_type: pa.DataType):
    """How a column's cells are written: booleans and numbers as such, everything else as text, whatever it looks
    like (codes and names)."""
    if pa.types.is_boolean(arrow_type):
        return sheet.write_boolean
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return sheet.write_number
    return lambda row, col, value: sheet.write_string(row, col, str(value))


# DuckDB holds a table's new rows in memory until a row group is full (122,880 rows by default: more than any table
# of 1,000 documents) and, below its memory limit (80% of the machine), keeps what it freed. Its process peaked at
# 200 MB at 200 synthetic documents and 318 MB at 1,000; with row groups of 16,384 rows, one thread and a 64 MB
# limit, 181 and 192 MB (the file is 5–11% larger). A 32 MB limit failed at 1,000 documents ("failed to pin block").
DATABASE_ROW_GROUP_ROWS = 16_384
DATABASE_CONFIG = {"threads": 1, "memory_limit": "64MB"}


@contextmanager
def _database(tmp: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the DuckDB file tmp (made when absent) as the current database, its memory bounded."""
    import duckdb

    with duckdb.connect(config=DATABASE_CONFIG) as con:
        con.execute(f"ATTACH {_sql_text(str(tmp))} AS db (ROW_GROUP_SIZE {DATABASE_ROW_GROUP_ROWS})")
        con.execute("USE db")
        yield con


def load_tables(tmp: Path, out_dir: Path, names: list[str]) -> None:
    """Each table from its Parquet file (the dictionary's types) into the DuckDB file tmp, made when absent."""
    with _database(tmp) as con:
        for name in names:
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(out_dir / f"{name}.parquet")])


def finish_database(tmp: Path, names: list[str], path: Path) -> float:
    """The dictionary as a table and as column comments, one checkpoint, and the file moved to path; returns this
    process's peak memory (MB)."""
    d = dictionary()
    with _database(tmp) as con:
        con.register("dictionary_frame", d)
        con.execute("CREATE TABLE data_dictionary AS SELECT * FROM dictionary_frame")
        con.unregister("dictionary_frame")
        con.execute("COMMENT ON TABLE data_dictionary IS 'Every column of every table: type, unit, description, 中文'")
        comments = [f'COMMENT ON COLUMN "{table}"."{column}" IS '
                    + _sql_text(f"{zh} · {description}" + (f" [{unit}]" if unit else ""))
                    for table, column, unit, description, zh in zip(d["table"], d["column"], d["unit"],
                                                                    d["description"], d["chinese_term"], strict=True)
                    if table in names]
        con.execute("BEGIN TRANSACTION; " + "; ".join(comments) + "; COMMIT")  # one commit, not one per column
        con.execute("CHECKPOINT db")
    os.replace(tmp, path)
    return peak_memory_mb()


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
