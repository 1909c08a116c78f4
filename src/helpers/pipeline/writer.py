"""The writing stage: one CSV (UTF-8 with BOM, for Excel) and one Parquet file per tidy table, appended
document by document, every part cast to the data dictionary's types.

Both files are written from the same Arrow table by Arrow's own writers: Arrow's CSV writer took 0.5 s where pandas'
took 5.4 s for the tables of 1,000 synthetic documents. Its CSV quotes every string (a missing string is an empty
field, an empty one ``""``), writes booleans as ``true``/``false`` and a whole float without ``.0`` (and, from 1e10
up, with an exponent: ``1.2345678901e+10``); numbers are never quoted, so Excel, pandas and R read the same values.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from helpers.pipeline.export import Digests
from helpers.pipeline.memory import release_free_memory
from helpers.pipeline.outputs import SORT_KEYS, TABLE_NAMES, columns_of
from helpers.pipeline.parts import Part, join
from helpers.schema import apply_schema

# Indicator reuse is counted over all documents: these tables are written once every document is in.
CORPUS_TABLES = ("indicators", "indicator_summary")
DOCUMENT_TABLES = [name for name in TABLE_NAMES if name not in CORPUS_TABLES]  # complete with the last document
WRITTEN = [*TABLE_NAMES, "problems"]  # the run's problems come last, once every document is in
# Documents buffered before every table is written: memory stays flat with the corpus, and a file's row groups
# (each a batch of documents) do not depend on the executor or the number of workers.
DOCUMENTS_PER_FLUSH = 100
UTF8_BOM = b"\xef\xbb\xbf"  # Excel reads a CSV as UTF-8 only after it


class CsvFile:
    """One CSV file (UTF-8 with BOM) written from Arrow tables of one schema, appended in turn."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.sink = pa.OSFile(str(path), "wb")
        self.sink.write(UTF8_BOM)
        self.writer = pa_csv.CSVWriter(self.sink, schema)

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()
        self.sink.close()


def write_table_files(frame: pd.DataFrame, out_dir: Path, name: str) -> None:
    """A whole frame as its CSV and Parquet files, both from one Arrow table, as the writer writes each table."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    csv = CsvFile(out_dir / f"{name}.csv", table.schema)
    csv.write(table)
    csv.close()
    pq.write_table(table, out_dir / f"{name}.parquet")


class TableWriter:
    """One CSV (UTF-8 with BOM, for Excel) and one Parquet file per tidy table, appended document by document.

    Documents arrive in doc_id order and each one's rows are sorted by line, so the files hold the rows in the
    order one global sort would give; every part is cast to the data dictionary's types, so all parts share a schema."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.buffers: dict[str, list[Part]] = {name: [] for name in WRITTEN}
        self.documents = 0  # documents buffered since the last flush
        self.csv: dict[str, CsvFile] = {}
        self.parquet: dict[str, pq.ParquetWriter] = {}
        self.digests = Digests()  # each document's, as its rows are written
        self.closed: set[str] = set()

    def add_document(self, parts: dict[str, Part], documents: int = 1) -> None:
        """The rows of some tables of one document (or of several, in order); every table is written once enough
        documents are in."""
        for name, part in parts.items():
            if name in self.closed:
                raise ValueError(f"{name}: rows after the table was closed")
            if part.rows:
                self.buffers[name].append(part)
        self.documents += documents
        if self.documents >= DOCUMENTS_PER_FLUSH:
            for name in WRITTEN:
                if self.buffers[name]:
                    self._flush(name)
            self.documents = 0
            release_free_memory()  # the batch's frames, freed

    def _flush(self, name: str) -> None:
        parts, self.buffers[name] = self.buffers[name], []
        frame = join(parts)
        keys = SORT_KEYS.get(name, [c for c in ("doc_id", "line") if c in frame])
        self._write(name, frame.sort_values(keys, kind="stable").reset_index(drop=True))

    def _write(self, name: str, frame: pd.DataFrame) -> None:
        """The rows cast to the dictionary's types (so every batch of a table has one Arrow schema), into both
        files."""
        frame = apply_schema(frame, name)
        self.digests.add(name, frame)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if name not in self.csv:
            self.csv[name] = CsvFile(self.out_dir / f"{name}.csv", table.schema)
            self.parquet[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet", table.schema)
        self.csv[name].write(table)
        self.parquet[name].write_table(table)

    def close(self, names: Iterable[str] = WRITTEN) -> None:
        """The files of these tables (by default every one not closed yet), their last rows written."""
        for name in names:
            if name in self.closed:
                continue
            if self.buffers[name]:
                self._flush(name)
            if name not in self.csv:  # no document had a row: the file still has its columns
                self._write(name, pd.DataFrame(columns=columns_of(name)))
            self.csv.pop(name).close()
            self.parquet.pop(name).close()
            self.closed.add(name)
