"""The writing stage: one CSV (UTF-8 with BOM, for Excel) and one Parquet file per tidy table, appended
document by document, every part cast to the data dictionary's types.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import pandas as pd
import pyarrow as pa
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


class TableWriter:
    """One CSV (UTF-8 with BOM, for Excel) and one Parquet file per tidy table, appended document by document.

    Documents arrive in doc_id order and each one's rows are sorted by line, so the files hold the rows in the
    order one global sort would give; every part is cast to the data dictionary's types, so all parts share a schema."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.buffers: dict[str, list[Part]] = {name: [] for name in WRITTEN}
        self.documents = 0  # documents buffered since the last flush
        self.csv: dict[str, TextIO] = {}
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
        """The rows cast to the dictionary's types; the CSV written before the strings are (Arrow strings would be
        turned back into Python ones to be written)."""
        first = name not in self.csv
        if first:
            self.csv[name] = (self.out_dir / f"{name}.csv").open("w", encoding="utf-8-sig", newline="")
        frame = apply_schema(frame, name, text=False)
        frame.to_csv(self.csv[name], index=False, header=first)
        frame = apply_schema(frame, name)  # the strings alone are left to cast
        self.digests.add(name, frame)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if name not in self.parquet:
            self.parquet[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet", table.schema)
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
