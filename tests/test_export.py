"""Data a researcher opens anywhere: the workbook keeps codes as text and integers as integers under Chinese headers,
the DuckDB file has the dictionary's types, the dictionary as a table and column comments; per-document digests follow
a document's own rows only."""
from __future__ import annotations

import duckdb
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers.config import RAW_DIR
from helpers.pipeline.corpus import run_process
from helpers.pipeline.executor import ProcessApart
from helpers.pipeline.export import (
    DATABASE_NAME,
    DATABASE_ROW_GROUP_ROWS,
    DIGESTS_NAME,
    WORKBOOK_NAME,
    Database,
    Digests,
    load_tables,
)
from helpers.pipeline.writer import UTF8_BOM
from helpers.report.state import read_json


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    assert run_process(RAW_DIR, out, workbook=True) == 0
    return out


def test_workbook_keeps_codes_as_text_and_integers_as_integers(processed):
    book = openpyxl.load_workbook(processed / WORKBOOK_NAME, read_only=True)
    assert "data_dictionary" in book.sheetnames and "comparison" in book.sheetnames
    rows = list(book["projects"].iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "文件编号 doc_id" and "功能分类科目编码 func_code" in header
    code, line = header.index("功能分类科目编码 func_code"), header.index("行号 line")
    # dazhou L404: 2024年度城乡居民医保基金配套资金项目, function code 2101202 (a code: text, as printed)
    dazhou = next(r for r in rows[1:] if r[0] == "dazhou-dachuan_2024" and r[line] == 404)
    assert dazhou[code] == "2101202" and isinstance(dazhou[line], int)
    assert all(cell is None or isinstance(cell, str) for cell in (r[code] for r in rows[1:]))


def test_database_has_the_dictionary_types_table_and_comments(processed):
    with duckdb.connect(str(processed / DATABASE_NAME), read_only=True) as con:
        types = dict(con.execute("select column_name, data_type from duckdb_columns() where table_name = 'projects'")
                     .fetchall())
        assert types["func_code"] == "VARCHAR" and types["line"] == "BIGINT" and types["amount_wan"] == "DOUBLE"
        comment = con.execute("select comment from duckdb_columns() where table_name = 'findings' and "
                              "column_name = 'cause'").fetchone()[0]
        assert comment.startswith("原因 · document (as printed in the disclosure)")
        n = con.execute("select count(*) from data_dictionary").fetchone()[0]
        total = con.execute("select sum(amount_wan) from projects where doc_id = 'dazhou-dachuan_2024'").fetchone()[0]
    dictionary = pd.read_csv(RAW_DIR.parents[1] / "src" / "helpers" / "data_dictionary.csv")
    assert n == len(dictionary)
    projects = pd.read_parquet(processed / "projects.parquet")
    assert total == pytest.approx(projects.loc[projects["doc_id"] == "dazhou-dachuan_2024", "amount_wan"].sum())


def test_comparison_counts_stay_integers(processed):
    comparison = pd.read_parquet(processed / "comparison.parquet")
    assert str(comparison["n_project_indicators"].dtype) == "Int64" and str(comparison["fiscal_year"].dtype) == "Int64"
    text = (processed / "comparison.csv").read_text(encoding="utf-8-sig")
    assert ",74," in text and ",74.0," not in text  # dazhou's 74 indicators


def csv_values(text: pd.Series, arrow_type: pa.DataType) -> list:
    """A CSV column (read as text, nothing taken for missing) as values of the Parquet column's type."""
    if pa.types.is_boolean(arrow_type):
        return [{"true": True, "false": False, "": None}[v] for v in text]
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return [None if v == "" else float(v) for v in text]
    return list(text)


def test_every_csv_holds_the_values_of_its_parquet_file(processed):
    checked = 0
    for parquet in sorted(processed.glob("*.parquet")):
        csv = processed / f"{parquet.stem}.csv"
        assert csv.read_bytes().startswith(UTF8_BOM), csv.name
        table = pq.read_table(parquet)
        text = pd.read_csv(csv, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert list(text.columns) == table.column_names and len(text) == table.num_rows, csv.name
        for field in table.schema:
            expected = table[field.name].to_pylist()
            if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
                expected = ["" if v is None else v for v in expected]  # a missing string is an empty field
            else:
                expected = [None if v is None or v != v else (float(v) if not isinstance(v, bool) else v)
                            for v in expected]
            assert csv_values(text[field.name], field.type) == expected, f"{csv.name}: {field.name}"
            checked += table.num_rows
    assert checked > 50_000  # every cell of every table (81,242 on the bundled corpus)


def test_digests_written_for_every_document(processed):
    digests = read_json(processed / DIGESTS_NAME)
    assert sorted(digests) == sorted(p.stem for p in RAW_DIR.glob("*.txt"))


def document_digests(indicators: pd.DataFrame) -> dict[str, str]:
    """doc_id → digest of its indicator rows, as the writer takes them."""
    digests = Digests()
    digests.add("indicators", indicators)
    return digests.result()


def test_digest_follows_a_documents_own_rows_only():
    indicators = pd.DataFrame({"doc_id": ["a", "a", "b"], "line": [1, 2, 3], "raw": ["x", "y", "z"],
                               "reuse_docs": pd.array([1, 1, 1], dtype="Int64")})
    before = document_digests(indicators)
    recounted = indicators.assign(reuse_docs=pd.array([2, 2, 2], dtype="Int64"))  # another bureau added: corpus count
    assert document_digests(recounted) == before
    edited = indicators.copy()
    edited.loc[2, "raw"] = "w"
    after = document_digests(edited)
    assert after["a"] == before["a"] and after["b"] != before["b"]
    grown = pd.concat([indicators, pd.DataFrame({"doc_id": ["c"], "line": [1], "raw": ["v"],
                                                 "reuse_docs": pd.array([1], dtype="Int64")})], ignore_index=True)
    assert {k: v for k, v in document_digests(grown).items() if k != "c"} == before


def test_workbook_only_on_request(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    source = sorted(RAW_DIR.glob("*.txt"))[0]
    (raw / source.name).write_bytes(source.read_bytes())
    assert run_process(raw, tmp_path / "out") == 0
    assert (tmp_path / "out" / DATABASE_NAME).is_file() and not (tmp_path / "out" / WORKBOOK_NAME).exists()


def test_database_holds_every_table_written_early_or_late(processed):
    """The document tables go in while the corpus-wide ones are written; every table ends up in, row for row."""
    with duckdb.connect(str(processed / DATABASE_NAME), read_only=True) as con:
        tables = {name: con.execute(f'select count(*) from "{name}"').fetchone()[0]
                  for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        reused = con.execute("select count(*) from indicators where reuse_docs >= 1").fetchone()[0]
    written = {p.stem: len(pd.read_parquet(p)) for p in processed.glob("*.parquet")}
    assert tables.pop("data_dictionary") > 0
    assert tables == written
    assert reused == written["indicators"]  # the late table carries its corpus-wide column


def test_database_tables_are_stored_in_small_row_groups(tmp_path):
    """DuckDB holds a table's rows in memory until a row group is full: small ones keep its process flat."""
    rows = 3 * DATABASE_ROW_GROUP_ROWS
    pd.DataFrame({"doc_id": [f"d{i % 7}" for i in range(rows)], "line": range(rows)}).to_parquet(
        tmp_path / "documents.parquet")
    load_tables(tmp_path / "x.duckdb", tmp_path, ["documents"])
    with duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True) as con:
        groups = con.execute("select count(distinct row_group_id) from pragma_storage_info('documents')").fetchone()[0]
        assert con.execute("select count(*), sum(line) from documents").fetchone() == (rows, rows * (rows - 1) // 2)
    assert groups == 3  # DuckDB's default (122,880 rows) would store them in one


def test_a_database_step_that_fails_is_raised_and_leaves_no_file(tmp_path):
    pd.DataFrame({"doc_id": ["a"], "line": [1]}).to_parquet(tmp_path / "documents.parquet")
    (tmp_path / "tables.parquet").write_bytes(b"not parquet")
    with ProcessApart() as apart, pytest.raises(duckdb.Error), Database(tmp_path, apart) as database:
        database.add(["documents"])
        database.add(["tables"])
        database.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents.parquet", "tables.parquet"]


def test_a_run_that_fails_before_the_database_is_finished_leaves_no_file(tmp_path):
    pd.DataFrame({"doc_id": ["a"], "line": [1]}).to_parquet(tmp_path / "documents.parquet")
    with ProcessApart() as apart, pytest.raises(OSError), Database(tmp_path, apart) as database:
        database.add(["documents"])  # loading while the run goes on, which then fails (a full disk, say)
        raise OSError("no space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents.parquet"]
