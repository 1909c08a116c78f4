"""What processing leaves beside the tidy tables for readers and for the reports, written from the finished files:

- ``budget_disclosures.xlsx``: one sheet per table and the data dictionary; headers "中文 column"; codes stay text,
  integers stay integers (each column written with its dictionary type, so Excel never turns a 21-digit project
  code into 4.1E+20);
- ``budget_disclosures.duckdb``: the same tables with the dictionary's types, the dictionary as a table
  (``data_dictionary``) and as column comments (``COMMENT ON COLUMN``);
- ``digests.json``: sha256 of each document's own rows over every table, for the reports: a bureau report is rebuilt
  when its digest changes, and a new bureau leaves every other digest as it was (columns counted over the whole
  corpus, such as reuse in other documents, are left out; the bureau report does not show them).

``write_exports(out_dir)`` is the one call at the end of ``process``. Each file is written whole (fsio.write_atomic).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from helpers.config import PACKAGE_DIR
from helpers.fsio import write_atomic
from helpers.pipeline.outputs import RUN_TABLES, TABLE_NAMES

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


def write_exports(out_dir: Path) -> None:
    """The workbook, the database and the per-document digests, from the tables just written to out_dir."""
    tables = {name: pd.read_parquet(out_dir / f"{name}.parquet") for name in EXPORT_TABLES
              if (out_dir / f"{name}.parquet").is_file()}
    write_atomic(out_dir / DIGESTS_NAME, json.dumps(document_digests(tables), indent=0, sort_keys=True))
    write_workbook(tables, out_dir / WORKBOOK_NAME)
    write_database(out_dir, list(tables), out_dir / DATABASE_NAME)


def document_digests(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """doc_id → sha256 over its rows of every per-document table (row hashes of pandas, in file order)."""
    hashes: dict[str, hashlib._Hash] = {}
    for name in TABLE_NAMES:
        frame = tables.get(name)
        if frame is None or frame.empty or "doc_id" not in frame:
            continue
        own = frame.drop(columns=CORPUS_COLUMNS.get(name, []))
        rows = pd.util.hash_pandas_object(own, index=False).to_numpy()
        doc_ids = own["doc_id"].astype(str).to_numpy()
        starts = [0, *(i for i in range(1, len(doc_ids)) if doc_ids[i] != doc_ids[i - 1]), len(doc_ids)]
        header = "\t".join(own.columns).encode()
        for start, end in zip(starts, starts[1:], strict=False):
            h = hashes.setdefault(str(doc_ids[start]), hashlib.sha256())
            h.update(name.encode() + b"\0" + header + b"\0" + rows[start:end].tobytes())
    return {doc_id: h.hexdigest() for doc_id, h in sorted(hashes.items())}


def headers(table: str, columns: list[str]) -> list[str]:
    """"中文 column" for each column: the dictionary's Chinese term, then the column's name."""
    d = dictionary()
    terms = dict(zip(d.loc[d["table"] == table, "column"], d.loc[d["table"] == table, "chinese_term"], strict=True))
    return [f"{terms[c]} {c}" if terms.get(c) else c for c in columns]


def write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table plus the dictionary; every cell written with its column's type (text stays text)."""
    import xlsxwriter

    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(tmp, {"nan_inf_to_errors": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
        book.set_properties({"title": "医疗保障局部门预算公开 · budget disclosures", "created": pd.Timestamp(0).to_pydatetime()})
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        for name, frame in [*tables.items(), ("data_dictionary", dictionary())]:
            sheet = book.add_worksheet(name[:31])
            _write_sheet(sheet, frame.head(EXCEL_MAX_ROWS), headers(name, list(frame.columns)), bold)
        book.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_sheet(sheet, frame: pd.DataFrame, labels: list[str], bold) -> None:
    sheet.write_row(0, 0, labels, bold)
    sheet.freeze_panes(1, 0)
    for col, column in enumerate(frame.columns):
        series = frame[column]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        for row, value in enumerate(series.tolist(), start=1):
            if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                continue  # missing stays an empty cell, never 0
            if isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif numeric:
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))  # codes and names: text, whatever they look like
        sheet.set_column(col, col, min(40, max(10, len(labels[col]) + 2)))


def write_database(out_dir: Path, names: list[str], path: Path) -> None:
    """A DuckDB file: each table from its Parquet file (the dictionary's types), the dictionary, column comments."""
    import duckdb

    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    os.unlink(tmp)  # duckdb creates the file itself
    d = dictionary()
    try:
        with duckdb.connect(tmp) as con:
            for name in names:
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(out_dir / f"{name}.parquet")])
            con.register("dictionary_frame", d)
            con.execute("CREATE TABLE data_dictionary AS SELECT * FROM dictionary_frame")
            con.unregister("dictionary_frame")
            con.execute("COMMENT ON TABLE data_dictionary IS 'Every column of every table: type, unit, description, 中文'")
            for table, column, unit, description, zh in zip(d["table"], d["column"], d["unit"], d["description"],
                                                            d["chinese_term"], strict=True):
                if table in names:
                    comment = f"{zh} · {description}" + (f" [{unit}]" if unit else "")
                    con.execute(f'COMMENT ON COLUMN "{table}"."{column}" IS ' + _sql_text(comment))
            con.execute("CHECKPOINT")
        os.replace(tmp, path)
    except BaseException:
        for leftover in (Path(tmp), Path(tmp + ".wal")):
            leftover.unlink(missing_ok=True)
        raise


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
